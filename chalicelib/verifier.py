"""Teeka's certificate format, and an offline verifier that needs only the issuer's public keys.

Copy this one file to verify certificates anywhere: it uses the standard library and `cryptography`.

The QR holds text: `teeka:/` followed by digits. Every character of a JWS compact serialisation is
written as the two digits of (its code - 45), the numeric encoding of SMART Health Cards, so a QR
stores the digits in numeric mode (3.3 bits each) and any QR reader returns plain text.
The JWS:
- header `{"alg":"ES256","kid":<RFC 7638 thumbprint of the signing key>,"zip":"DEF"}`;
- payload: the JSON claims `{"iss","nbf","jti","vc"}` (a W3C verifiable credential in the VC-JWT
  form), compressed with raw DEFLATE (RFC 1951) before base64url, as `zip: DEF` says;
- signature: ECDSA P-256 over `<header>.<payload>`, the 64-byte r||s of RFC 7518.
Public keys: the JWKS at `/.well-known/jwks.json`. Revoked certificate ids: `/v2/certificate/revoked`.

Usage: `python -m chalicelib.verifier --jwks jwks.json [--revoked revoked.json] "teeka:/5676..."`.
"""
from __future__ import annotations

import base64
import hashlib
import json
import sys
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_der_public_key

QR_PREFIX = "teeka:/"
CREDENTIAL_TYPE = "ProofOfVaccinationCredential"
ALGORITHM = "ES256"
VALID, INVALID, REVOKED = "valid", "invalid", "revoked"
MAX_QR_TEXT = 4096  # a version-40 QR holds 7,089 digits; ours stay under 2,400 (version 22)


class InvalidCertificate(ValueError):
    """The text is not a Teeka certificate, or its signature does not hold."""


class UnknownKey(InvalidCertificate):
    """Signed by a key not in the JWKS given (a newer key, or a forged kid)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise InvalidCertificate("not base64url") from None


# --- the QR text ---------------------------------------------------------------------------------

# Each character a JWS may hold (base64url and '.') as its two digits: one str.translate, not a loop.
_DIGIT_PAIRS = str.maketrans({chr(code): f"{code - 45:02d}" for code in range(45, 123)})


def qr_text(jws: str, prefix: str = QR_PREFIX) -> str:
    """The QR text of a JWS: `prefix` (SMART Health Cards use `shc:/`), then two digits per character."""
    return prefix + jws.translate(_DIGIT_PAIRS)


def qr_digits(message: bytes) -> int:
    """How many digits the QR text of a JWS with this signing input has (the signature is 86 characters)."""
    return 2 * (len(message) + 1 + 86)


def jws_of(text: str) -> str:
    """The JWS compact serialisation inside QR text (or the JWS itself, if given one)."""
    text = text.strip()
    if text.count(".") == 2 and not text.startswith(QR_PREFIX):
        return text
    digits = text[len(QR_PREFIX):] if text.startswith(QR_PREFIX) else ""
    if not digits or len(digits) % 2 or not digits.isdigit() or len(text) > MAX_QR_TEXT:
        raise InvalidCertificate(f"not a Teeka certificate QR (it starts with {QR_PREFIX} and then digits)")
    return "".join(chr(int(digits[i:i + 2]) + 45) for i in range(0, len(digits), 2))


# --- keys ------------------------------------------------------------------------------------------

def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638: the SHA-256 of the key's required members, in order, without whitespace."""
    canonical = json.dumps({name: jwk[name] for name in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    return _b64(hashlib.sha256(canonical.encode()).digest())


def jwk_from_der(der: bytes) -> dict[str, str]:
    """The public JWK of a P-256 key given as DER SubjectPublicKeyInfo (what KMS GetPublicKey returns)."""
    key = load_der_public_key(der)
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise ValueError("a certificate key must be EC P-256")
    numbers = key.public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "x": _b64(numbers.x.to_bytes(32, "big")),
           "y": _b64(numbers.y.to_bytes(32, "big"))}
    return {**jwk, "kid": thumbprint(jwk), "use": "sig", "alg": ALGORITHM}


def _public_key(jwk: dict[str, str]) -> ec.EllipticCurvePublicKey:
    x, y = (int.from_bytes(_unb64(jwk[name]), "big") for name in ("x", "y"))
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


def jose_signature(der_signature: bytes) -> bytes:
    """ECDSA's DER signature (KMS, OpenSSL) as JOSE's 64-byte r||s."""
    r, s = decode_dss_signature(der_signature)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


# --- signing and verifying ----------------------------------------------------------------------

def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _inflate(data: bytes) -> bytes:
    decompressor = zlib.decompressobj(-15)
    try:
        payload = decompressor.decompress(data, 64 * 1024)
    except zlib.error:
        raise InvalidCertificate("payload is not DEFLATE data") from None
    if decompressor.unconsumed_tail:
        raise InvalidCertificate("payload too large")
    return payload


def signing_input(claims: dict[str, Any], kid: str) -> bytes:
    header = {"alg": ALGORITHM, "kid": kid, "zip": "DEF"}
    body = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
    return f"{_b64(json.dumps(header, separators=(',', ':')).encode())}.{_b64(_deflate(body))}".encode("ascii")


def compact(message: bytes, signature: bytes) -> str:
    """The JWS compact serialisation of a signing input and its 64-byte ES256 signature."""
    return f"{message.decode('ascii')}.{_b64(signature)}"


def sign(claims: dict[str, Any], kid: str, sign_raw: Callable[[bytes], bytes]) -> str:
    """The JWS of `claims`; `sign_raw` returns the 64-byte ES256 signature of its input."""
    message = signing_input(claims, kid)
    return compact(message, sign_raw(message))


# A KYC-VS answer (docs/kycvs.md), signed by the same keys: a plain JWS (no DEFLATE: any JOSE library
# reads it) whose `typ` no certificate has, so neither can pass for the other.
STATUS_ANSWER_TYPE = "kycvs+jwt"


def jwt_signing_input(claims: dict[str, Any], kid: str, typ: str) -> bytes:
    header = {"alg": ALGORITHM, "kid": kid, "typ": typ}
    body = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
    return f"{_b64(json.dumps(header, separators=(',', ':')).encode())}.{_b64(body)}".encode("ascii")


def decode_jwt(jws: str, jwks: dict[str, Any], typ: str) -> dict[str, Any]:
    """The claims of a plain JWS of type `typ` whose ES256 signature one of `jwks`'s keys verifies."""
    header_part, payload_part, header = _header(jws)
    if header.get("alg") != ALGORITHM or header.get("typ") != typ or "zip" in header:
        raise InvalidCertificate("unexpected JWS header")
    _check_signature(jws, header, jwks)
    try:
        claims = json.loads(_unb64(payload_part))
    except ValueError:
        raise InvalidCertificate("payload is not JSON") from None
    if not isinstance(claims, dict):
        raise InvalidCertificate("payload is not a JSON object")
    return claims


def _header(jws: str) -> tuple[str, str, dict[str, Any]]:
    try:
        header_part, payload_part, _ = jws.split(".")
        header = json.loads(_unb64(header_part))
    except ValueError:
        raise InvalidCertificate("not a JWS") from None
    if not isinstance(header, dict):
        raise InvalidCertificate("unexpected JWS header")
    return header_part, payload_part, header


def _check_signature(jws: str, header: dict[str, Any], jwks: dict[str, Any]) -> None:
    header_part, payload_part, signature_part = jws.split(".")
    key = next((k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")), None)
    if key is None:
        raise UnknownKey("signed by an unknown key")
    signature = _unb64(signature_part)
    if len(signature) != 64:
        raise InvalidCertificate("malformed signature")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        _public_key(key).verify(der, f"{header_part}.{payload_part}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        raise InvalidCertificate("signature does not match") from None


def payload(jws: str) -> dict[str, Any]:
    """The claims of a JWS, NOT verified: only for a JWS the caller itself stored."""
    try:
        claims = json.loads(_inflate(_unb64(jws.split(".")[1])))
    except (ValueError, IndexError):
        raise InvalidCertificate("payload is not JSON") from None
    vc = claims.get("vc") if isinstance(claims, dict) else None
    # The same keys sign SMART Health Cards, whose JWS looks alike: a Teeka certificate is known by its
    # credential type and its id.
    if not isinstance(vc, dict) or CREDENTIAL_TYPE not in (vc.get("type") or ()) or \
            not str(claims.get("jti", "")).startswith("urn:uuid:") or len(str(claims["jti"])) <= len("urn:uuid:"):
        raise InvalidCertificate("payload is not a Teeka vaccination credential")
    return claims


def decode(jws: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """The claims of a JWS whose ES256 signature one of `jwks`'s keys verifies; raises otherwise."""
    _, _, header = _header(jws)
    if header.get("alg") != ALGORITHM or header.get("zip") != "DEF":
        raise InvalidCertificate("unexpected JWS header")
    _check_signature(jws, header, jwks)
    return payload(jws)


def certificate_id(claims: dict[str, Any]) -> str:
    return str(claims.get("jti", "")).removeprefix("urn:uuid:")


@dataclass(frozen=True)
class Verdict:
    status: str  # valid | invalid | revoked
    reason: str = ""
    certificate_id: str = ""
    claims: dict[str, Any] = field(default_factory=dict)
    unknown_key: bool = False  # invalid because no published key has its kid


def verify(text: str, jwks: dict[str, Any], revoked: Collection[str] = ()) -> Verdict:
    """Check QR text (or a JWS) against the issuer's keys and the ids it has revoked."""
    try:
        claims = decode(jws_of(text), jwks)
    except InvalidCertificate as problem:
        return Verdict(INVALID, str(problem), unknown_key=isinstance(problem, UnknownKey))
    identifier = certificate_id(claims)
    if identifier in revoked:
        return Verdict(REVOKED, "the issuer revoked this certificate", identifier, claims)
    return Verdict(VALID, "", identifier, claims)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Verify a Teeka certificate QR offline.")
    parser.add_argument("--jwks", required=True, help="the issuer's JWKS file (/.well-known/jwks.json)")
    parser.add_argument("--revoked", help="the revocation list file (/v2/certificate/revoked)")
    parser.add_argument("qr", help="the text the QR code holds")
    args = parser.parse_args(argv)
    with open(args.jwks, encoding="utf-8") as keys:
        jwks = json.load(keys)
    revoked: set[str] = set()
    if args.revoked:
        with open(args.revoked, encoding="utf-8") as listing:
            revoked = {entry["certificate_id"] for entry in json.load(listing)["revoked"]}
    verdict = verify(args.qr, jwks, revoked)
    print(json.dumps({"status": verdict.status, "reason": verdict.reason, "certificate_id": verdict.certificate_id,
                      "credential": verdict.claims.get("vc")}, indent=2, ensure_ascii=False))
    return 0 if verdict.status == VALID else 1


if __name__ == "__main__":
    sys.exit(main())
