"""What every PDF the platform prints shares (appointment slips, certificates): an A4 page set in Noto
Sans, with Noto's Devanagari, Tamil, Bengali and Arabic faces as fallbacks and HarfBuzz shaping
(fpdf2 through uharfbuzz), so a name in any of those scripts prints as written: conjuncts, vowel
signs and right-to-left included. The fonts ship in chalicelib/fonts (SIL OFL 1.1, OFL.txt)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

FONT = "NotoSans"
FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
FALLBACK_SCRIPTS = ("Devanagari", "Tamil", "Bengali", "Arabic")


def document(title: str) -> Any:
    """An A4 fpdf2 document with one page. fpdf2 (0.4 s to import) and the fonts load only where PDFs
    are made; each PDF embeds only the glyphs it uses."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    for family, file_stem in ((FONT, "NotoSans"), *((f"{FONT}{script}", f"NotoSans{script}")
                                                   for script in FALLBACK_SCRIPTS)):
        pdf.add_font(family, "", FONTS_DIR / f"{file_stem}-Regular.ttf")
        pdf.add_font(family, "B", FONTS_DIR / f"{file_stem}-Bold.ttf")
    pdf.set_fallback_fonts([f"{FONT}{script}" for script in FALLBACK_SCRIPTS])
    pdf.set_text_shaping(True)
    pdf.set_font(FONT, size=10)
    pdf.set_title(title)
    pdf.set_creator("Teeka")
    pdf.add_page()
    return pdf


def label_value_rows(pdf: Any, pairs: list[tuple[str, str]], label_width: float = 45) -> None:
    """Label: value lines, the value wrapping under itself."""
    for label, value in pairs:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(label_width, 7, label)
        pdf.set_font(FONT, size=10)
        pdf.multi_cell(0, 7, str(value), new_x="LMARGIN", new_y="NEXT")
