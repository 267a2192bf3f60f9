"""One-page PDFs filled from a template: laid out once by fpdf2, then filled per document in well under a
millisecond, without laying anything out again.

A page is described by a small declarative `Page`: static elements, value slots and QR boxes, top to
bottom. `build(page)` lays it out ONCE with fpdf2 (labels and headings in any script: the Noto faces,
their fallbacks and HarfBuzz shaping of `pdf.document`), and records where each value goes (x, baseline,
width, font size) and where each QR goes (x, y, size). `Template.fill(values, codes)` then returns the
final PDF as the template's bytes followed by a PDF incremental update (ISO 32000-1 §7.5.6): the values'
content stream and one image XObject per QR, a new cross-reference section and a trailer whose /Prev
points at the template's. The template's page already lists them (/Contents [q, page, values],
/Resources with /TkV, the standard Helvetica in WinAnsiEncoding, and /TkQ0, /TkQ1...), so nothing of the
template is rewritten: each document is the template plus a few kilobytes.

Values print in Helvetica (WinAnsiEncoding; ( ) \\ escaped), shrunk down to FLOOR_SIZE (6 points), then
cut with "..." to fit their width (or their `lines`, wrapped at spaces). A value may also contain words the
template pre-rendered with fpdf2 (`Page.phrases`: the texts, in any left-to-right script, that values
can contain but WinAnsi cannot print: the reader-language words of a bilingual value such as
"महिला / Female" or "{total} में से {dose}"); any other text WinAnsi cannot print (a Devanagari name)
raises `Unprintable`, and the caller lays the page out in full with fpdf2 instead (so does a word of a
right-to-left script, which fpdf2's bidi algorithm must order with its line). A QR is a 1-bit
/DeviceGray image (rows packed, /FlateDecode, quiet zone of 4 modules, /Interpolate false) drawn at its
box's size.

The layout elements (mm and points as fpdf2 takes them):
- `Text(text, size, bold, align, height)`: static text, wrapped within the page's margins.
- `Gap(height)`: vertical space.
- `Field(label, slot, label_width, size, height)`: a bold label (shrunk to fit `label_width`, as
  `pdf.label_value_rows` does) and the value of `slot` beside it, on one line.
- `Value(slot, size, align, height, lines)`: the value of `slot` on a line of its own (`lines` > 1 wraps it).
- `Codes(codes, gap)`: QR boxes side by side, centred; each `Code(slot, width, caption, caption_size)`
  is the symbol with its quiet zone, `width` mm wide, with an optional static caption under it.
- `Page(title, elements, phrases)`: the document's title (its metadata) and everything above.

An international certificate, for example (the layout a function of pack, language and kind):

    TEMPLATES = Templates(maxsize=16)

    def _page(profile, language) -> Page:
        both = ...  # pdf.bilingual with the pack's words
        return Page(both("International certificate of vaccination"), (
            Text(profile.certificate_authority, size=9, align="C"),
            Text(both("International certificate of vaccination"), size=16, bold=True, align="C", height=9),
            Gap(3), Field(both("Name"), "name"), Field(both("Date of birth"), "dob"),
            Field(both("Passport number"), "passport"), Field(both("Vaccine name"), "vaccine"),
            Field(both("Manufacturer"), "manufacturer"), Field(both("Dose number"), "dose"),
            Field(both("Date of dose"), "date"), Field(both("Country"), "country"),
            Field(both("Certificate ID"), "certificate_id"), Gap(4),
            Codes((Code("shc", 80, caption=both("SMART Health Card")),
                   Code("dcc", 80, caption=both("EU Digital COVID Certificate"))), gap=10),
            Value("footer", size=8, align="C", height=4, lines=3),
        ), phrases=(words.gettext("{dose} of {total}"),))  # reader-language words values may contain

    template = TEMPLATES.get((profile.country_code, profile.certificate_authority, language),
                             lambda: _page(profile, language))
    try:
        pdf = template.fill({"name": ..., "dose": ..., ...}, {"shc": qr.matrix(shc_text), "dcc": qr.matrix(hc1)})
    except Unprintable:
        pdf = ...  # the page laid out whole by fpdf2, as certificate_pdf._laid_out does

The layout must fit one page (`build` raises ValueError otherwise): a value slot never grows, it shrinks.
Two QR boxes of 80 mm and a 10 mm gap fit the 190 mm between A4's margins.
"""
from __future__ import annotations

import hashlib
import re
import string
import threading
import time
import unicodedata
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.services import qr
from chalicelib.services.pdf import document

VALUE_FONT = b"TkV"  # the page's resource name of the values' Helvetica
FLOOR_SIZE = 6.0  # points: a value shrinks no further, then is cut with "..."
ELLIPSIS = "..."
_PHRASE_SIZE = 10.0  # points: phrases are rendered at this size, and scaled
_CONTROLS = {code: " " for code in (*range(32), 127)}
_STYLES = {False: "", True: "B"}


class Unprintable(ValueError):
    """A value holds text that neither WinAnsi nor the template's phrases can print."""


# --- the layout's elements -----------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    text: str
    size: float = 10
    bold: bool = False
    align: str = "L"
    height: float = 5


@dataclass(frozen=True)
class Gap:
    height: float


@dataclass(frozen=True)
class Field:
    label: str
    slot: str
    label_width: float = 70
    size: float = 10
    height: float = 7


@dataclass(frozen=True)
class Value:
    slot: str
    size: float = 10
    align: str = "L"
    height: float = 5
    lines: int = 1


@dataclass(frozen=True)
class Code:
    slot: str
    width: float
    caption: str = ""
    caption_size: float = 8


@dataclass(frozen=True)
class Codes:
    codes: tuple[Code, ...]
    gap: float = 10


Element = Text | Gap | Field | Value | Codes


@dataclass(frozen=True)
class Page:
    title: str
    elements: tuple[Element, ...]
    phrases: tuple[str, ...] = ()  # texts whose words WinAnsi cannot print, pre-rendered for values


# --- Helvetica in WinAnsiEncoding ----------------------------------------------------------------

def _helvetica_widths() -> tuple[int, ...]:
    from fpdf.fonts import CORE_FONTS_CHARWIDTHS  # the Adobe metrics, by WinAnsi code

    widths = CORE_FONTS_CHARWIDTHS["helvetica"]
    return tuple(widths[chr(code)] for code in range(256))


def _escape(data: bytes) -> bytes:
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _winansi(text: str) -> bytes | None:
    try:
        return text.encode("cp1252")
    except UnicodeEncodeError:
        return None


_WINANSI_CHARS = "".join(sorted(bytes(range(256)).decode("cp1252", errors="ignore")))
_RUNS = re.compile("[%s]+|[^%s]+" % ((re.escape(_WINANSI_CHARS),) * 2))


def _runs(word: str) -> list[str]:
    """A word cut where WinAnsi printable and unprintable characters meet."""
    return _RUNS.findall(word)


def phrase_words(text: str) -> set[str]:
    """The runs of `text`'s words that WinAnsi cannot print: what a template pre-renders for its values.
    A format string's replacement fields ({name}) are left out, and so are right-to-left words."""
    literal = "".join(part for part, *_ in string.Formatter().parse(text))
    return {run for word in literal.split() for run in _runs(word)
            if _winansi(run) is None and not any(unicodedata.bidirectional(char) in ("R", "AL") for char in run)}


# --- the built template --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Phrase:
    ops: bytes  # content-stream operators that draw it, at _PHRASE_SIZE points
    width: float  # points, at 1 point of font size
    origin: tuple[float, float]  # its baseline's start on the page it was drawn on (points)


@dataclass(frozen=True)
class _Box:
    x: float  # points from the page's left edge to the text's start
    baseline: float  # points from the page's bottom edge to the first line's baseline
    width: float
    size: float
    align: str
    lines: int
    leading: float


@dataclass(frozen=True)
class _CodeBox:
    index: int  # /TkQ<index>, object number of the template's size + 1 + index
    x: float
    y: float  # the bottom edge, in points from the page's bottom
    size: float


@dataclass(frozen=True)
class Template:
    pdf: bytes
    objects: int  # the template's cross-reference size: the update's objects are numbered from it
    root: int
    info: int
    file_id: str
    startxref: int
    boxes: dict[str, tuple[_Box, ...]]
    codes: dict[str, _CodeBox]
    phrases: dict[str, _Phrase] = field(default_factory=dict)
    info_entries: bytes = b""  # the document information dictionary's entries, but its creation date
    widths: tuple[int, ...] = field(default_factory=_helvetica_widths)

    def fill(self, values: Mapping[str, Any], codes: Mapping[str, qr.Symbol]) -> bytes:
        """The PDF with `values` (by slot; str() of each) and QR `codes` (by slot) in their places.
        Raises Unprintable when a value holds text neither WinAnsi nor the template's phrases print."""
        ops = [b"Q\n0 g\n"]  # closes the q before the template's own content
        for slot, boxes in self.boxes.items():
            text = str(values.get(slot, "")).translate(_CONTROLS)
            for box in boxes:
                ops.append(self._text(text, box))
        for code in self.codes.values():
            ops.append(b"q %.2f 0 0 %.2f %.2f %.2f cm /TkQ%d Do Q\n" % (code.size, code.size, code.x, code.y,
                                                                           code.index))
        content = zlib.compress(b"".join(ops), 6)
        objects = [b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content)]
        for slot in sorted(self.codes, key=lambda name: self.codes[name].index):
            symbol = codes[slot]
            image = zlib.compress(symbol.image_rows(), 6)
            objects.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                           b"/BitsPerComponent 1 /Interpolate false /Length %d /Filter /FlateDecode >>\n"
                           b"stream\n%s\nendstream" % (symbol.image_size, symbol.image_size, len(image), image))
        objects.append(b"<<%s/CreationDate (D:%sZ)\n>>" % (self.info_entries,
                                                            time.strftime("%Y%m%d%H%M%S", time.gmtime()).encode()))
        return _append(self, objects, hashlib.md5(content, usedforsecurity=False).hexdigest())

    def _text(self, text: str, box: _Box) -> bytes:
        encoded = _winansi(text)
        if encoded is not None and box.lines == 1:  # the common case: one line of Helvetica
            units = sum(map(self.widths.__getitem__, encoded))
            size = box.size
            if units * size > box.width * 1000:
                size = max(FLOOR_SIZE, int(box.width * 1000 / units * 10) / 10)
                if units * size > box.width * 1000:
                    encoded, units = self._cut(encoded, box.width * 1000 / size)
            x = box.x + _shift(box, units * size / 1000)
            return b"BT /TkV %.2f Tf %.2f %.2f Td (%s) Tj ET\n" % (size, x, box.baseline, _escape(encoded))
        return self._paragraph(text, box)

    def _cut(self, encoded: bytes, room: float) -> tuple[bytes, int]:
        """The longest start of `encoded` that fits `room` (thousandths of the font size) with "...", and it."""
        widths = self.widths
        room -= 3 * widths[ord(".")]
        used, end = 0, 0
        while end < len(encoded) and used + widths[encoded[end]] <= room:
            used += widths[encoded[end]]
            end += 1
        cut = encoded[:end].rstrip(b" ") + b"..."
        return cut, sum(map(widths.__getitem__, cut))

    # Values with phrases, or on several lines: words, each a list of pieces (WinAnsi bytes or phrases).

    def _words(self, text: str) -> list[list[bytes | _Phrase]]:
        words: list[list[bytes | _Phrase]] = []
        for word in text.split(" "):
            encoded = _winansi(word)
            if encoded is not None:
                words.append([encoded] if encoded else [])
                continue
            pieces: list[bytes | _Phrase] = []
            for run in _runs(word):
                encoded = _winansi(run)
                if encoded is not None:
                    pieces.append(encoded)
                elif run in self.phrases:
                    pieces.append(self.phrases[run])
                else:
                    raise Unprintable(run)
            words.append(pieces)
        return words

    def _width(self, pieces: Sequence[bytes | _Phrase]) -> float:
        """Points at 1 point of font size."""
        return sum(piece.width if isinstance(piece, _Phrase) else sum(map(self.widths.__getitem__, piece)) / 1000
                   for piece in pieces)

    def _paragraph(self, text: str, box: _Box) -> bytes:
        words = self._words(text)
        space = self.widths[32] / 1000
        size = box.size
        while True:
            lines = self._wrap(words, box.width / size, space)
            if len(lines) <= box.lines or size <= FLOOR_SIZE:
                break
            size = max(FLOOR_SIZE, size - 0.5)
        if len(lines) > box.lines:
            kept = lines[:box.lines - 1]
            last = [piece for line in lines[box.lines - 1:] for piece in [*line, b" "]][:-1]
            lines = [*kept, self._shorten(last, box.width / size)]
        out = []
        for number, line in enumerate(lines):
            x = box.x + _shift(box, self._width(line) * size)
            y = box.baseline - number * box.leading
            out.append(self._line(line, x, y, size))
        return b"".join(out)

    def _wrap(self, words: list[list[bytes | _Phrase]], room: float, space: float) -> list[list[bytes | _Phrase]]:
        """Greedy lines of at most `room` (points at 1 point of size); a word wider than a line is cut."""
        lines: list[list[bytes | _Phrase]] = [[]]
        used = 0.0
        for word in words:
            width = self._width(word)
            if lines[-1] and used + space + width > room:
                lines.append([])
                used = 0.0
            if lines[-1]:
                lines[-1].append(b" ")
                used += space
            if width > room and len(word) == 1 and isinstance(word[0], bytes) and not lines[-1]:
                rest = word[0]
                while self._width([rest]) > room:
                    cut = self._fit(rest, room)
                    lines[-1].append(rest[:cut])
                    lines.append([])
                    rest = rest[cut:]
                word = [rest]
                width = self._width(word)
            lines[-1].extend(word)
            used += width
        return lines

    def _fit(self, data: bytes, room: float) -> int:
        used, end = 0.0, 0
        while end < len(data) - 1 and used + self.widths[data[end]] / 1000 <= room:
            used += self.widths[data[end]] / 1000
            end += 1
        return max(1, end)

    def _shorten(self, line: list[bytes | _Phrase], room: float) -> list[bytes | _Phrase]:
        room -= self._width([ELLIPSIS.encode()])
        kept: list[bytes | _Phrase] = []
        for piece in line:
            if self._width([*kept, piece]) <= room:
                kept.append(piece)
                continue
            if isinstance(piece, bytes):
                kept.append(piece[:self._fit(piece, room - self._width(kept))] if self._width(kept) < room else b"")
            break
        while kept and kept[-1] in (b" ", b""):
            kept.pop()
        return [*kept, ELLIPSIS.encode()]

    def _line(self, line: list[bytes | _Phrase], x: float, y: float, size: float) -> bytes:
        out = []
        text = b""
        start = x
        for piece in [*line, None]:
            if isinstance(piece, bytes):
                text += piece
                continue
            if text:
                out.append(b"BT /TkV %.2f Tf %.2f %.2f Td (%s) Tj ET\n" % (size, start, y, _escape(text)))
                start += self._width([text]) * size
                text = b""
            if piece is not None:
                scale = size / _PHRASE_SIZE
                out.append(b"q %.4f 0 0 %.4f %.2f %.2f cm\n%s\nQ\n" % (
                    scale, scale, start - scale * piece.origin[0], y - scale * piece.origin[1], piece.ops))
                start += piece.width * size
        return b"".join(out)


def _shift(box: _Box, width: float) -> float:
    if box.align == "C":
        return (box.width - width) / 2
    if box.align == "R":
        return box.width - width
    return 0.0


def _append(template: Template, objects: list[bytes], revision: str) -> bytes:
    """The template followed by an incremental update defining `objects` (numbered from the template's size),
    the last of them the document's information dictionary."""
    out = [template.pdf]
    offset = len(template.pdf)
    entries = []
    for number, body in enumerate(objects, start=template.objects):
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
        entries.append(b"%010d 00000 n \n" % offset)
        out.append(chunk)
        offset += len(chunk)
    out.append(b"xref\n%d %d\n%s" % (template.objects, len(objects), b"".join(entries)))
    out.append(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
               % (template.objects + len(objects), template.root, template.objects + len(objects) - 1,
                  template.file_id.encode(), revision.encode(), template.startxref, offset))
    return b"".join(out)


# --- building a template -------------------------------------------------------------------------

def build(page: Page) -> Template:
    """Lay `page` out with fpdf2 once; its phrases each on a page of their own, taken out afterwards."""
    phrases = sorted({word for text in page.phrases for word in phrase_words(text)})
    texts = [page.title, *phrases]
    for element in page.elements:
        if isinstance(element, Text):
            texts.append(element.text)
        elif isinstance(element, Field):
            texts.append(element.label)
        elif isinstance(element, Codes):
            texts.extend(code.caption for code in element.codes)
    pdf = document(page.title, texts)
    pdf.set_auto_page_break(False)
    k, height = pdf.k, pdf.h
    family = pdf.family
    boxes: dict[str, list[_Box]] = {}
    codes: dict[str, _CodeBox] = {}

    def box(slot: str, x: float, width: float, size: float, align: str, line_height: float, lines: int) -> None:
        baseline = pdf.y + 0.5 * line_height + 0.3 * size / k  # where fpdf2's cell() puts a baseline
        boxes.setdefault(slot, []).append(_Box((x + pdf.c_margin) * k, (height - baseline) * k,
                                               (width - 2 * pdf.c_margin) * k, size, align, lines, line_height * k))

    for element in page.elements:
        if isinstance(element, Text):
            pdf.set_font(family, _STYLES[element.bold], element.size)
            pdf.multi_cell(0, element.height, element.text, new_x="LMARGIN", new_y="NEXT", align=element.align)
        elif isinstance(element, Gap):
            pdf.ln(element.height)
        elif isinstance(element, Field):
            size = 10.0
            pdf.set_font(family, "B", size)
            while pdf.get_string_width(element.label) > element.label_width - 2 and size > 6:
                size -= 0.5
                pdf.set_font(family, "B", size)
            pdf.cell(element.label_width, element.height, element.label)
            box(element.slot, pdf.x, pdf.w - pdf.r_margin - pdf.x, element.size, "L", element.height, 1)
            pdf.set_xy(pdf.l_margin, pdf.y + element.height)
        elif isinstance(element, Value):
            box(element.slot, pdf.l_margin, pdf.epw, element.size, element.align, element.height, element.lines)
            pdf.set_xy(pdf.l_margin, pdf.y + element.height * element.lines)
        else:
            total = sum(code.width for code in element.codes) + element.gap * (len(element.codes) - 1)
            x, top, bottom = (pdf.w - total) / 2, pdf.y, pdf.y
            for code in element.codes:
                codes[code.slot] = _CodeBox(len(codes), x * k, (height - top - code.width) * k, code.width * k)
                if code.caption:
                    pdf.set_font(family, "", code.caption_size)
                    pdf.set_xy(x, top + code.width)
                    pdf.multi_cell(code.width, code.caption_size * 0.5, code.caption, align="C")
                bottom = max(bottom, pdf.y, top + code.width)
                x += code.width + element.gap
            pdf.set_xy(pdf.l_margin, bottom)
        if pdf.y > height or pdf.page != 1:
            raise ValueError("the page's layout does not fit one page")
    origins = []
    for phrase in phrases:
        pdf.add_page()
        pdf.set_font(family, "", _PHRASE_SIZE)
        pdf.set_xy(20, 20)
        pdf.cell(None, 10, phrase)
        origins.append(((20 + pdf.c_margin) * k, (height - 20 - 5 - 0.3 * _PHRASE_SIZE / k) * k,
                        (pdf.x - 20 - 2 * pdf.c_margin) * k / _PHRASE_SIZE))
    return _template(bytes(pdf.output()), {slot: tuple(found) for slot, found in boxes.items()}, codes,
                     dict(zip(phrases, origins, strict=True)))


def _template(made: bytes, boxes: dict[str, tuple[_Box, ...]], codes: dict[str, _CodeBox],
              origins: dict[str, tuple[float, float, float]]) -> Template:
    """fpdf2's document rewritten: its first page only (the phrases' pages taken out, their drawing kept)
    and that page's contents and resources ready for the values and QR images of an incremental update."""
    objects, trailer = _parse(made)
    size = int(_find(rb"/Size (\d+)", trailer))
    root, info = int(_find(rb"/Root (\d+) 0 R", trailer)), int(_find(rb"/Info (\d+) 0 R", trailer))
    file_id = _find(rb"/ID \[<([0-9A-Fa-f]+)>", trailer).decode()
    pages = int(_find(rb"/Pages (\d+) 0 R", objects[root]))
    media_box = _find(rb"/MediaBox (\[[^\]]*\])", objects[pages])
    first, *others = (int(n) for n in re.findall(rb"(\d+) 0 R", _find(rb"/Kids \[([^\]]*)\]", objects[pages])))
    removed = set()
    phrases = {}
    fonts: dict[bytes, bytes] = {}
    if len(others) != len(origins):
        raise ValueError("a page besides the first and the phrases' own")
    for page, phrase in zip(others, origins, strict=True):
        contents, resources = (int(_find(rb"%s (\d+) 0 R" % key, objects[page]))
                               for key in (b"/Contents", b"/Resources"))
        removed |= {page, contents, resources}
        fonts.update(_entries(objects[resources], b"/Font"))
        x, y, width = origins[phrase]
        phrases[phrase] = _Phrase(_stream(objects[contents]), width, (x, y))
    resources_of_first = objects[int(_find(rb"/Resources (\d+) 0 R", objects[first]))]
    fonts.update(_entries(resources_of_first, b"/Font"))
    images = _entries(resources_of_first, b"/XObject")
    contents = int(_find(rb"/Contents (\d+) 0 R", objects[first]))
    helvetica, opening = size, size + 1
    values = size + 2  # the first object of each document's update
    images.update({b"TkQ%d" % code.index: b"%d 0 R" % (values + 1 + code.index) for code in codes.values()})
    fonts[VALUE_FONT] = b"%d 0 R" % helvetica
    objects[helvetica] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objects[opening] = b"<< /Length 2 >>\nstream\nq\n\nendstream"
    objects[pages] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 /MediaBox %s >>" % (first, media_box)
    objects[first] = (b"<< /Type /Page /Parent %d 0 R /Contents [%d 0 R %d 0 R %d 0 R] /Resources << /ProcSet "
                      b"[/PDF /Text /ImageB /ImageC /ImageI] /Font << %s >> /XObject << %s >> >> >>" % (
                          pages, opening, contents, values, _dict(fonts), _dict(images)))
    for number in removed:
        del objects[number]
    _complete_to_unicode(objects)
    pdf, startxref = _write(made[:made.index(b"\n") + 1], objects, values, root, info, file_id)
    entries = objects[info].strip().removeprefix(b"<<").removesuffix(b">>")
    info_entries = re.sub(rb"/CreationDate\s*\([^)]*\)", b"", entries)  # each document's own date
    return Template(pdf, values, root, info, file_id, startxref, boxes, codes, phrases, info_entries)


def _complete_to_unicode(objects: dict[int, bytes]) -> None:
    """Map every glyph of each font subset in its ToUnicode CMap. fpdf2 maps a shaped cluster's text to the
    cluster's first glyph only (Devanagari's "हि" draws the vowel sign first), leaving the others unmapped,
    which text extraction shows as stray letters; they are mapped to U+200B ZERO WIDTH SPACE instead."""
    for body in list(objects.values()):
        if b"/Subtype /Type0" not in body or b"/ToUnicode" not in body:
            continue
        cmap_number = int(_find(rb"/ToUnicode (\d+) 0 R", body))
        descendant = objects[int(_find(rb"/DescendantFonts \[(\d+) 0 R", body))]
        gids = _stream(objects[int(_find(rb"/CIDToGIDMap (\d+) 0 R", descendant))])
        cmap = _stream(objects[cmap_number])
        mapped = {int(code, 16) for code in re.findall(rb"^<([0-9A-Fa-f]{4})> <", cmap, re.M)}
        missing = [cid for cid in range(1, len(gids) // 2)
                   if gids[2 * cid:2 * cid + 2] != b"\0\0" and cid not in mapped]
        if not missing:
            continue
        blocks = b"".join(b"%d beginbfchar\n%s\nendbfchar\n" % (len(chunk), b"\n".join(b"<%04X> <200B>" % cid
                                                                                        for cid in chunk))
                          for chunk in (missing[i:i + 100] for i in range(0, len(missing), 100)))
        cmap = cmap.replace(b"endcmap", blocks + b"endcmap", 1)
        objects[cmap_number] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap)


def _parse(made: bytes) -> tuple[dict[int, bytes], bytes]:
    """fpdf2's objects (each between `N 0 obj` and `endobj`) by number, and its trailer dictionary."""
    startxref = int(_find(rb"startxref\s+(\d+)\s+%%EOF\s*$", made))
    table = re.match(rb"xref\s+0 (\d+)\s+", made[startxref:])
    if table is None:
        raise ValueError("not a classic cross-reference table")
    entries = made[startxref + table.end():].split(b"trailer")[0].split()
    offsets = {number: int(entries[3 * number]) for number in range(int(table.group(1)))
               if entries[3 * number + 2] == b"n"}
    bounds = sorted(offsets.values()) + [startxref]
    objects = {}
    for number, offset in offsets.items():
        chunk = made[offset:bounds[bounds.index(offset) + 1]]
        body = chunk[chunk.index(b"obj") + 3:chunk.rindex(b"endobj")]
        objects[number] = body.strip(b"\r\n")
    return objects, made[made.rindex(b"trailer"):]


def _write(header: bytes, objects: dict[int, bytes], size: int, root: int, info: int,
           file_id: str) -> tuple[bytes, int]:
    out = [header, b"%\xe2\xe3\xcf\xd3\n"]
    offset = sum(map(len, out))
    offsets = {}
    for number in sorted(objects):
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
        offsets[number] = offset
        out.append(chunk)
        offset += len(chunk)
    free = [number for number in range(1, size) if number not in offsets]
    next_free = dict(zip([0, *free], [*free, 0], strict=True))
    rows = [b"%010d 65535 f \n" % next_free[0]]
    rows += [b"%010d 00000 n \n" % offsets[n] if n in offsets else b"%010d 00001 f \n" % next_free[n]
             for n in range(1, size)]
    out.append(b"xref\n0 %d\n%s" % (size, b"".join(rows)))
    out.append(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, root, info, file_id.encode(), file_id.encode(), offset))
    return b"".join(out), offset


def _find(pattern: bytes, data: bytes) -> bytes:
    found = re.search(pattern, data)
    if found is None:
        raise ValueError(f"unexpected PDF structure: no {pattern!r}")
    return found.group(1)


def _entries(resources: bytes, kind: bytes) -> dict[bytes, bytes]:
    """The /Name n 0 R entries of a resource dictionary's `kind` sub-dictionary (/Font, /XObject)."""
    found = re.search(rb"%s\s*<<(.*?)>>" % kind, resources, re.S)
    return dict(re.findall(rb"/([^\s/<>\[\]()]+)\s+(\d+ 0 R)", found.group(1))) if found else {}


def _dict(entries: dict[bytes, bytes]) -> bytes:
    return b" ".join(b"/%s %s" % item for item in entries.items())


def _stream(body: bytes) -> bytes:
    """A stream object's data, decoded when fpdf2 compressed it."""
    start = body.index(b"stream") + len(b"stream")
    start += 2 if body[start:start + 2] == b"\r\n" else 1
    data = body[start:start + int(_find(rb"/Length (\d+)", body[:start]))]
    return zlib.decompress(data) if b"/FlateDecode" in body[:start] else data


class Templates:
    """Built templates, the `maxsize` most recently used, by a key naming what the page depends on."""

    def __init__(self, maxsize: int = 32) -> None:
        self.maxsize = maxsize
        self._built: OrderedDict[Hashable, Template] = OrderedDict()
        self._lock = threading.Lock()  # the local server's threads share it; a Lambda has one

    def get(self, key: Hashable, page: Callable[[], Page]) -> Template:
        with self._lock:
            template = self._built.get(key)
            if template is None:
                template = self._built[key] = build(page())
                while len(self._built) > self.maxsize:
                    self._built.popitem(last=False)
            else:
                self._built.move_to_end(key)
            return template

    def clear(self) -> None:
        with self._lock:
            self._built.clear()
