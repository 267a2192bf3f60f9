"""What every PDF the platform prints shares (appointment slips, certificates): an A4 page on which a
name in any script prints as written. Beyond Latin-1, Noto Sans with Noto's Devanagari, Tamil, Bengali
and Arabic faces as fallbacks and HarfBuzz shaping (fpdf2 through uharfbuzz): conjuncts, vowel signs
and right-to-left joining included. The fonts ship in chalicelib/fonts (SIL OFL 1.1, OFL.txt)."""
from __future__ import annotations

import gettext
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

UNICODE_FONT = "NotoSans"
FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
FALLBACK_SCRIPTS = ("Devanagari", "Tamil", "Bengali", "Arabic")


def document(title: str, texts: Iterable[str]) -> Any:
    """An A4 fpdf2 document with one page, able to print `texts` (every variable word it will print).

    Text that Latin-1 covers is set in the PDF's built-in Helvetica (nothing to embed: ~10 ms a PDF);
    anything else in Noto Sans with the fallback faces of the scripts present and HarfBuzz shaping
    (fpdf2 subsets every face added, used or not, which is most of a PDF's cost: ~0.1 s a face).
    Callers set `pdf.family`. fpdf2 (0.4 s to import) and the fonts load only where PDFs are made."""
    from fpdf import FPDF

    pdf: Any = FPDF(format="A4")  # `family` added: the font family the callers set
    texts = [str(text) for text in texts]
    if all(_latin1(text) for text in texts):
        pdf.family = "Helvetica"
    else:
        scripts = _scripts_in(texts)
        for family, stem in ((UNICODE_FONT, "NotoSans"), *((f"{UNICODE_FONT}{s}", f"NotoSans{s}") for s in scripts)):
            pdf.add_font(family, "", FONTS_DIR / f"{stem}-Regular.ttf")
            pdf.add_font(family, "B", FONTS_DIR / f"{stem}-Bold.ttf")
        pdf.set_fallback_fonts([f"{UNICODE_FONT}{script}" for script in scripts])
        pdf.set_text_shaping(True)
        pdf.family = UNICODE_FONT
    pdf.set_font(pdf.family, size=10)
    pdf.set_title(title)
    pdf.set_creator("Teeka")
    pdf.add_page()
    return pdf


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _scripts_in(texts: Iterable[str]) -> list[str]:
    """The fallback scripts whose letters appear in `texts` (Unicode names each character's script)."""
    letters = {ch for text in texts for ch in text if ord(ch) > 0x24F}
    return [script for script in FALLBACK_SCRIPTS
            if any(unicodedata.name(ch, "").startswith(script.upper()) for ch in letters)]


def bilingual(words: gettext.NullTranslations, text: str) -> str:
    """`text` in the reader's language and in English ("नाम / Name"), or in English alone."""
    local = words.gettext(text)
    return text if local == text else f"{local} / {text}"


def bilingual_lines(words: gettext.NullTranslations, text: str) -> list[str]:
    """A longer `text` as lines: the reader's language first, then English (or English alone)."""
    local = words.gettext(text)
    return [text] if local == text else [local, text]


def label_value_rows(pdf: Any, pairs: list[tuple[str, str]], label_width: float = 45) -> None:
    """Label: value lines, the value wrapping under itself."""
    for label, value in pairs:
        size = 10.0
        pdf.set_font(pdf.family, "B", size)
        while pdf.get_string_width(label) > label_width - 2 and size > 6:  # a long bilingual label shrinks
            size -= 0.5
            pdf.set_font(pdf.family, "B", size)
        pdf.cell(label_width, 7, label)
        pdf.set_font(pdf.family, size=10)
        pdf.multi_cell(0, 7, str(value), new_x="LMARGIN", new_y="NEXT")
