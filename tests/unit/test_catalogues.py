"""Every pack's message catalogues are complete, match the code's texts and are compiled; an
incomplete one is caught (local/catalogues.py, `make catalogues`)."""
import shutil

import pytest

from chalicelib.config import load_pack
from chalicelib.domain import errors, messages
from local import catalogues

PACKS_WITH_CATALOGUES = [(code, language) for code in ("in", "do", "ug")
                         for language in catalogues.translated_languages(load_pack(code))]


def test_india_and_the_dominican_republic_translate_and_uganda_reads_english():
    assert PACKS_WITH_CATALOGUES == [("in", "hi_IN"), ("do", "es_DO")]


@pytest.mark.parametrize("code, language", PACKS_WITH_CATALOGUES)
def test_every_text_of_the_code_and_the_pack_is_translated_and_compiled(code, language):
    assert catalogues.problems(load_pack(code), language) == []


@pytest.mark.parametrize("code, language", PACKS_WITH_CATALOGUES)
def test_every_sms_error_and_name_reads_in_the_language(code, language):
    profile = load_pack(code)
    words = profile.words(language)
    catalogued = [value for value in vars(errors).values() if isinstance(value, errors.ErrorCode)]
    texts = [e.message for e in catalogued] + [t.type for t in profile.id_types] + [t.text for t in
                                                                                  messages.TEMPLATES.values()]
    own = {t.type for t in profile.id_types} | {g.gender for g in profile.genders}
    untranslated = [text for text in texts if words.gettext(text) == text and text not in own]
    assert untranslated == []
    sms = messages.render(messages.cancelled("A1", 3), words)
    assert sms.startswith("Teeka:") and "A1" in sms and "3" in sms and "cancelled" not in sms


@pytest.fixture
def a_catalogue(tmp_path, monkeypatch):
    """A copy of India's Hindi catalogue, for the test to spoil."""
    india = load_pack("in")
    copy = tmp_path / "teeka.po"
    shutil.copy(catalogues.po_file(india, "hi_IN"), copy)
    shutil.copy(catalogues.po_file(india, "hi_IN").with_suffix(".mo"), copy.with_suffix(".mo"))
    monkeypatch.setattr(catalogues, "po_file", lambda profile, language: copy)
    return india, copy


def _spoil(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_missing_translation_is_caught(a_catalogue):
    india, copy = a_catalogue
    _spoil(copy, 'msgid "Name"\nmsgstr "नाम"', 'msgid "Name"\nmsgstr ""')
    found = catalogues.problems(india, "hi_IN")
    assert f"{copy}: 'Name' has no translation" in found and f"{copy.with_suffix('.mo')} is not compiled" \
        " from its .po (run make catalogues)" in found


def test_a_translation_with_other_placeholders_is_caught(a_catalogue):
    india, copy = a_catalogue
    text = copy.read_text(encoding="utf-8")
    start = text.index('msgid "{dose} of {total}"')
    line = text[start:text.index("\n\n", start)]
    _spoil(copy, line, line.replace("{total}", "{totl}", 2).replace('msgid "{dose} of {totl}"',
                                                                     'msgid "{dose} of {total}"'))
    found = catalogues.problems(india, "hi_IN")
    assert f"{copy}: '{{dose}} of {{total}}' has other placeholders than its text" in found


def test_a_text_new_in_the_code_is_caught(a_catalogue, monkeypatch):
    india, copy = a_catalogue
    template = catalogues.template

    def with_a_new_text(profile):
        catalog = template(profile)
        catalog.add("A text added to the code today")
        return catalog

    monkeypatch.setattr(catalogues, "template", with_a_new_text)
    found = catalogues.problems(india, "hi_IN")
    assert f"{copy}: 'A text added to the code today' has no translation" in found
    assert f"{copy} is not up to date with the code (run make catalogues)" in found
