"""What every PDF the platform prints shares (appointment slips, certificates)."""
from __future__ import annotations

from typing import Any


def printable(text: Any) -> str:
    """The PDF's built-in fonts cover Latin-1; other scripts print as '?' until a Unicode font ships."""
    return str(text).encode("latin-1", "replace").decode("latin-1")


def document(title: str) -> Any:
    """An A4 fpdf2 document with one page; fpdf2 (0.4 s to import) loads only where PDFs are made."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Teeka")
    pdf.add_page()
    return pdf


def label_value_rows(pdf: Any, pairs: list[tuple[str, str]], label_width: float = 45) -> None:
    """Label: value lines, the value wrapping under itself."""
    for label, value in pairs:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(label_width, 7, label)
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 7, printable(value), new_x="LMARGIN", new_y="NEXT")
