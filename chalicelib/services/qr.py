"""QR symbols for certificates, made by a compiled encoder (libzint, through zint-bindings).

`matrix(text)` returns the symbol's modules. The text's segments are what this module declares
(`segments`): a certificate's `teeka:/` or `shc:/` prefix (up to and including the first '/') in byte
mode and the digits after it in numeric mode; a text wholly in the QR alphanumeric alphabet (an EU DCC's
`HC1:` base45 text) as one alphanumeric segment; anything else in byte mode (UTF-8). libzint chooses
the modes itself with an optimal (shortest bit stream) algorithm, so its symbol is never a larger version
than these segments need: `reference_version` computes that version from the segments alone, and
`matrix` checks the encoder against it. Error correction is L at least, raised by libzint to M, Q or H
whenever the same version holds the data (read back from the symbol's format bits: `Symbol.ec_level`);
the mask is the one of the eight with the lowest ISO/IEC 18004 penalty.

A `Symbol` gives its modules as rows of bits (`rows`), packed 1-bit image rows with a quiet zone
(`image_rows`, what a PDF image XObject holds) and a PNG (`png`, for fpdf2's layout and for people).
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

MAX_VERSION = 22  # a certificate's QR must stay readable by ordinary phone cameras
QUIET_ZONE = 4  # modules of light margin on each side (ISO/IEC 18004)
ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
BYTE, NUMERIC, ALNUM = "byte", "numeric", "alphanumeric"

# Data codewords of versions 1-40 at error correction L (ISO/IEC 18004:2015, table 7).
_DATA_CODEWORDS_L = (
    19, 34, 55, 80, 108, 136, 156, 194, 232, 274, 324, 370, 428, 461, 523, 589, 647, 721, 795, 861,
    932, 1006, 1094, 1174, 1276, 1370, 1468, 1531, 1631, 1735, 1843, 1955, 2071, 2191, 2306, 2434, 2566,
    2702, 2812, 2956)
_EC_LEVELS = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}  # the format information's two EC bits
_REVERSED_BITS = bytes(int(f"{byte:08b}"[::-1], 2) for byte in range(256))


@dataclass(frozen=True)
class Symbol:
    """A QR symbol: `rows[y]` holds row y's modules as the bits of an int, the leftmost module in the
    highest of `size` bits, 1 for a dark module."""

    version: int
    size: int
    rows: tuple[int, ...]

    def dark(self, x: int, y: int) -> bool:
        return bool(self.rows[y] >> (self.size - 1 - x) & 1)

    @property
    def ec_level(self) -> str:
        """L, M, Q or H, as the symbol's format information says (the copy beside the top-left finder)."""
        bits = 0
        for x in (0, 1, 2, 3, 4, 5, 7):
            bits = bits << 1 | self.dark(x, 8)
        return _EC_LEVELS[(bits >> 5 ^ 0b10) & 0b11]  # the top two of the 15 bits, unmasked (0x5412)

    @property
    def image_size(self) -> int:
        """Pixels on a side of `image_rows`: the symbol and its quiet zone, one pixel a module."""
        return self.size + 2 * QUIET_ZONE

    def image_rows(self) -> bytes:
        """The symbol with its quiet zone as a 1-bit grey image, one pixel a module: rows of
        ceil(image_size / 8) bytes, the most significant bit leftmost, 0 black and 1 white."""
        width = self.image_size
        row_bytes = (width + 7) // 8
        padding = row_bytes * 8 - width
        light_right = (1 << (QUIET_ZONE + padding)) - 1
        light_left = ((1 << QUIET_ZONE) - 1) << (width - QUIET_ZONE + padding)
        all_dark = (1 << self.size) - 1
        shift = QUIET_ZONE + padding
        quiet = b"\xff" * row_bytes * QUIET_ZONE
        return b"".join((quiet, *(((row ^ all_dark) << shift | light_left | light_right).to_bytes(row_bytes, "big")
                                   for row in self.rows), quiet))

    def png(self, scale: int = 4) -> bytes:
        """A 1-bit greyscale PNG of the symbol and its quiet zone, `scale` pixels a module."""
        width = self.image_size
        row_bytes = (width + 7) // 8
        packed = self.image_rows()
        lines = []
        for y in range(width):
            bits = format(int.from_bytes(packed[y * row_bytes:(y + 1) * row_bytes], "big") >> (row_bytes * 8 - width),
                          f"0{width}b")
            scaled = "".join(bit * scale for bit in bits)
            scaled += "1" * (-len(scaled) % 8)
            line = b"\0" + int(scaled, 2).to_bytes(len(scaled) // 8, "big")
            lines.extend([line] * scale)
        header = struct.pack(">IIBBBBB", width * scale, width * scale, 1, 0, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(lines), 9)) \
            + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def segments(text: str) -> list[tuple[str, str]]:
    """The (mode, text) segments the symbol of `text` needs at most: see the module's docstring."""
    if text and all(char in ALPHANUMERIC for char in text):
        return [(ALNUM, text)]
    cut = text.find("/") + 1
    if 0 < cut < len(text) and text[cut:].isascii() and text[cut:].isdigit():
        return [(BYTE, text[:cut]), (NUMERIC, text[cut:])]
    return [(BYTE, text)]


def _bits(mode: str, text: str, version: int) -> int:
    band = 0 if version <= 9 else 1 if version <= 26 else 2
    if mode == NUMERIC:
        return 4 + (10, 12, 14)[band] + 10 * (len(text) // 3) + (0, 4, 7)[len(text) % 3]
    if mode == ALNUM:
        return 4 + (9, 11, 13)[band] + 11 * (len(text) // 2) + 6 * (len(text) % 2)
    return 4 + (8, 16, 16)[band] + 8 * len(text.encode("utf-8"))


def reference_version(text: str) -> int:
    """The smallest version whose data capacity at error correction L holds `segments(text)` (41 if none)."""
    parts = segments(text)
    needed = {band: sum(_bits(mode, part, band) for mode, part in parts) for band in (1, 10, 27)}
    for version, codewords in enumerate(_DATA_CODEWORDS_L, start=1):
        if needed[1 if version <= 9 else 10 if version <= 26 else 27] <= codewords * 8:
            return version
    return 41


def matrix(text: str, max_version: int = MAX_VERSION) -> Symbol:
    """The QR symbol of `text` (model 2, never micro); ValueError when it needs a version above `max_version`."""
    reference = reference_version(text)
    if reference > 40:
        raise ValueError(f"{len(text)} characters do not fit a QR symbol")
    import zint  # libzint (BSD), compiled: about 1 ms for a version-19 symbol, masks evaluated

    symbol = zint.Symbol()
    symbol.symbology = zint.Symbology.QRCODE  # error correction L by default, raised where the version allows
    try:
        symbol.encode(text.encode("utf-8"))
    except Exception as problem:  # zint-bindings raises RuntimeError with libzint's message
        raise ValueError(f"the QR encoder refused the text: {problem}") from None
    size = symbol.width
    version = (size - 17) // 4
    if version > reference:  # libzint's optimal segmentation never needs more than ours
        raise RuntimeError(f"the QR encoder made version {version}, the segments need {reference}")
    if version > max_version:
        raise ValueError(f"the QR needs version {version}, above {max_version}")
    raw = symbol.encoded_data.tobytes()
    stride = len(raw) // 200  # libzint's rows of modules, bit x of byte x // 8 for column x
    row_bytes = (size + 7) // 8
    shift = row_bytes * 8 - size
    rows = tuple(int.from_bytes(raw[y * stride:y * stride + row_bytes].translate(_REVERSED_BITS), "big") >> shift
                 for y in range(size))
    return Symbol(version, size, rows)

