"""The booking captcha, pure: a short code drawn as a distorted SVG, and its keyed digest.

CoWIN answered `getRecaptcha` with `{"captcha": "<svg…>"}` and checked the typed text on schedule.
Only a keyed digest of the answer is stored, like an OTP.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from xml.sax.saxutils import escape

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: people must be able to read it
LENGTH = 5
WIDTH, HEIGHT = 150, 50


def new_text() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def digest(key: bytes, mobile: str, text: str) -> str:
    """Case and spaces do not matter to the person typing it."""
    answer = "".join(str(text).split()).upper()
    return hmac.new(key, f"captcha:{mobile}:{answer}".encode(), hashlib.sha256).hexdigest()


def accepted(key: bytes, mobile: str, typed: str, stored: tuple[str, int] | None, now: int) -> bool:
    """Whether the typed text answers the captcha that was taken (its digest and expiry)."""
    return stored is not None and now <= stored[1] and hmac.compare_digest(digest(key, mobile, typed), stored[0])


def svg(text: str) -> str:
    """Each character shifted and turned a little, with noise lines across: readable, not trivially OCR'd."""
    rand = secrets.SystemRandom()
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}"><rect width="100%" height="100%" fill="#f4f4f4"/>']
    for _ in range(6):
        x1, y1, x2, y2 = (rand.randint(0, WIDTH), rand.randint(0, HEIGHT), rand.randint(0, WIDTH),
                          rand.randint(0, HEIGHT))
        parts.append(f'<path d="M{x1} {y1} Q{rand.randint(0, WIDTH)} {rand.randint(0, HEIGHT)} {x2} {y2}" '
                     f'stroke="#{rand.randint(0x555555, 0xaaaaaa):06x}" stroke-width="1.5" fill="none"/>')
    step = WIDTH // (len(text) + 1)
    for i, char in enumerate(text):
        x, y, angle = step * (i + 1) - 8 + rand.randint(-3, 3), 34 + rand.randint(-6, 6), rand.randint(-25, 25)
        parts.append(f'<text x="{x}" y="{y}" transform="rotate({angle} {x} {y})" font-family="monospace" '
                     f'font-size="{rand.randint(24, 30)}" fill="#{rand.randint(0x111111, 0x444444):06x}">'
                     f'{escape(char)}</text>')
    parts.append("</svg>")
    return "".join(parts)
