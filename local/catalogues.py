"""Keep every country pack's message catalogues in step with the code (`make catalogues`), with Babel.

The texts are gathered from the code (SMS templates, the error catalogue, PDF labels: the calls and
marks listed in KEYWORDS), from the web pages (`t("...")` in web/*.js, context "web") and from each
pack's own words (its ID types and genders). Each pack
language other than English has `chalicelib/countries/<code>/locale/<language>/LC_MESSAGES/teeka.po`,
which a translator edits; this merges new texts into it (new ones untranslated, gone ones marked
obsolete) and compiles the `.mo` file the platform reads (stdlib gettext; Babel is not in the Lambda
package). `python -m local.catalogues --check` changes nothing and says what is missing, so a test
can fail when a text has no translation.
"""
from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from chalicelib.config import CATALOGUE_DOMAIN, COUNTRIES_DIR, CountryProfile, read_pack
from chalicelib.services.metadata import LANGUAGE_NAME, WEB_CONTEXT

ROOT = COUNTRIES_DIR.parent.parent
# The functions whose literal arguments are texts to translate (argument positions, 1-based).
KEYWORDS = {
    "gettext": None, "ngettext": (1, 2), "N_": None, "Np_": (1, 2),  # messages, PDFs
    "ErrorCode": (2,),  # the error catalogue: ErrorCode(code, message, status)
    "bilingual": (2,), "bilingual_lines": (2,), "both": None, "say": None,  # PDF labels
}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def template(profile: CountryProfile) -> Catalog:
    """Every text a pack must translate: the code's, then the pack's own names."""
    catalog = Catalog(domain=CATALOGUE_DOMAIN, project="Teeka")
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / "chalicelib", [("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
        catalog.add(message, locations=[(f"chalicelib/{filename}", lineno)], auto_comments=comments, context=context)
    # The web pages' texts, t("...") in web/*.js, under their own context (served by /v2/web/texts).
    for filename, lineno, message, comments, _ in extract_from_dir(
            ROOT / "web", [("vendor/**", "ignore"), ("**.js", "javascript")], keywords={"t": None},
            comment_tags=("TRANSLATORS:",)):
        catalog.add(message, locations=[(f"web/{filename}", lineno)], auto_comments=comments, context=WEB_CONTEXT)
    catalog.add(LANGUAGE_NAME, locations=[("chalicelib/services/metadata.py", 0)], context=WEB_CONTEXT,
                auto_comments=["The name of the language you translate into, written in it (e.g. Español)."])
    pack = f"chalicelib/countries/{profile.country_code.lower()}/pack.toml"
    for name in [t.type for t in profile.id_types] + [g.gender for g in profile.genders]:
        catalog.add(name, locations=[(pack, 0)])
    return catalog


def po_file(profile: CountryProfile, language: str) -> Path:
    return COUNTRIES_DIR / profile.country_code.lower() / "locale" / language / "LC_MESSAGES" / \
        f"{CATALOGUE_DOMAIN}.po"


def translated_languages(profile: CountryProfile) -> list[str]:
    """English is the code's own language: it needs no catalogue."""
    return [language for language in profile.languages if not language.startswith("en")]


def updated(profile: CountryProfile, language: str) -> Catalog:
    """The language's catalogue merged with today's texts."""
    path = po_file(profile, language)
    if path.is_file():
        with path.open("rb") as source:
            catalog = read_po(source, locale=language, domain=CATALOGUE_DOMAIN)
    else:
        catalog = Catalog(locale=language, domain=CATALOGUE_DOMAIN, project="Teeka")
    catalog.update(template(profile), update_header_comment=False, update_creation_date=False)
    catalog.fuzzy = False  # the header: the catalogue is a translator's, complete when --check says so
    return catalog


def problems(profile: CountryProfile, language: str) -> list[str]:
    """What keeps the catalogue from being complete: missing or fuzzy texts, mismatched placeholders,
    a stale .mo."""
    catalog, path = updated(profile, language), po_file(profile, language)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        name = ids[0][:60]
        if message.fuzzy or not all(strings):
            found.append(f"{_shown(path)}: {name!r} has no translation")
        elif any(set(PLACEHOLDER.findall(str(s))) != set(PLACEHOLDER.findall(str(ids[0]))) for s in strings):
            found.append(f"{_shown(path)}: {name!r} has other placeholders than its text")
    on_disk = path.read_bytes() if path.is_file() else b""
    if _po_bytes(catalog) != on_disk:
        found.append(f"{_shown(path)} is not up to date with the code (run make catalogues)")
    mo = path.with_suffix(".mo")
    if not mo.is_file() or mo.read_bytes() != _mo_bytes(catalog):
        found.append(f"{_shown(mo)} is not compiled from its .po (run make catalogues)")
    return found


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    # Without line numbers: editing the code around a text does not change its catalogues.
    write_po(out, catalog, width=100, omit_header=False, ignore_obsolete=True, include_previous=False,
             include_lineno=False)
    return out.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def write(profile: CountryProfile, language: str) -> Path:
    catalog, path = updated(profile, language), po_file(profile, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_po_bytes(catalog))
    path.with_suffix(".mo").write_bytes(_mo_bytes(catalog))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; list what is missing")
    arguments = parser.parse_args()
    packs = sorted(p.name for p in COUNTRIES_DIR.iterdir() if (p / "pack.toml").is_file())
    missing = []
    for code in packs:
        profile = read_pack(code)
        for language in translated_languages(profile):
            if arguments.check:
                missing += problems(profile, language)
            else:
                print(f"{_shown(write(profile, language))} and its .mo")
    print("\n".join(missing) or ("every catalogue is complete" if arguments.check else ""), end="\n")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
