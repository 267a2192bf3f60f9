"""The EU Digital COVID Certificate's electronic health certificate (hcert), and an offline verifier
that needs only the issuer's document signer certificates (DSCs).

eHealth Network, "Guidelines on Technical Specifications for EU Digital COVID Certificates", vol. 1:
- the payload, `eu_dgc_v1` (chalicelib/domain/international.py), sits in a CWT (RFC 8392) under claim
  -260 (hcert), key 1; with it, claims 1 (issuer country), 6 (issued at) and 4 (expires);
- the CWT is the payload of a COSE_Sign1 (RFC 9052, CBOR tag 18) signed ES256 (-7) whose protected
  header holds the algorithm (1) and the `kid` (4): the first 8 bytes of the SHA-256 of the DSC's DER;
- the signature is ECDSA P-256 over the `Sig_structure` ["Signature1", protected, b"", payload], the
  64-byte r||s;
- the COSE message is compressed with zlib (RFC 1950), encoded Base45 (RFC 9285) and prefixed `HC1:`:
  all characters of the QR alphanumeric mode, so the QR holds it in that mode.

Usage: `python -m chalicelib.hcert --trust-list trust-list.json [--revoked revoked.json] "HC1:..."`
(the files are `/v2/certificate/dcc/trust-list` and `/v2/certificate/dcc/revoked`).
"""
from __future__ import annotations

import base64
import hashlib
import json
import sys
import time
import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import base45
import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

PREFIX = "HC1:"
ES256 = -7
HCERT_CLAIM, EU_DGC_V1 = -260, 1
COSE_SIGN1_TAG = 18
MAX_TEXT = 4096  # a version-40 QR holds 4,296 alphanumeric characters
MAX_COSE = 64 * 1024  # what the inflated message may reach: a bound against zlib bombs
VALID, INVALID, REVOKED = "valid", "invalid", "revoked"


class InvalidHcert(ValueError):
    """Not an EU DCC, or its signature, key or validity does not hold."""


def kid_of(certificate_der: bytes) -> bytes:
    """The COSE `kid` of a document signer: the first 8 bytes of the SHA-256 of its certificate."""
    return hashlib.sha256(certificate_der).digest()[:8]


def signing_input(claims: Mapping[int, Any], kid: bytes) -> tuple[bytes, bytes, bytes]:
    """(protected header, payload, Sig_structure to sign) of a CWT's COSE_Sign1."""
    protected = cbor2.dumps({1: ES256, 4: kid})
    payload = cbor2.dumps(dict(claims))
    return protected, payload, cbor2.dumps(["Signature1", protected, b"", payload])


def encode(protected: bytes, payload: bytes, signature: bytes) -> str:
    """The `HC1:` text of a signed COSE_Sign1 (`signature`: the 64-byte r||s)."""
    message = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return PREFIX + base45.b45encode(zlib.compress(message, 9)).decode("ascii")


def sign(claims: Mapping[int, Any], kid: bytes, sign_raw: Callable[[bytes], bytes]) -> str:
    protected, payload, to_be_signed = signing_input(claims, kid)
    return encode(protected, payload, sign_raw(to_be_signed))


@dataclass(frozen=True)
class Decoded:
    kid: bytes
    claims: dict[Any, Any]
    signature: bytes
    to_be_signed: bytes

    @property
    def hcert(self) -> dict[str, Any]:
        found = self.claims.get(HCERT_CLAIM, {}).get(EU_DGC_V1) if isinstance(self.claims.get(HCERT_CLAIM), dict) \
            else None
        if not isinstance(found, dict):
            raise InvalidHcert("no eu_dgc_v1 payload")
        return found

    @property
    def uvci(self) -> str:
        entries = self.hcert.get("v") or self.hcert.get("t") or self.hcert.get("r") or [{}]
        return str(entries[0].get("ci", "")) if isinstance(entries, list) and isinstance(entries[0], dict) else ""


def _cbor(data: bytes, what: str) -> Any:
    try:
        return cbor2.loads(data)
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError):
        raise InvalidHcert(f"{what} is not CBOR") from None


def decode(text: str) -> Decoded:
    """The parts of an `HC1:` text, NOT verified."""
    text = text.strip()
    if not text.startswith(PREFIX) or len(text) > MAX_TEXT:
        raise InvalidHcert(f"not an EU DCC (it starts with {PREFIX})")
    try:
        compressed = base45.b45decode(text[len(PREFIX):])
    except ValueError:
        raise InvalidHcert("not Base45") from None
    inflater = zlib.decompressobj()
    try:
        message = inflater.decompress(compressed, MAX_COSE)
    except zlib.error:
        message = compressed  # the specification lets a verifier accept an uncompressed message
    if inflater.unconsumed_tail:
        raise InvalidHcert("message too large")
    cose = _cbor(message, "message")
    if isinstance(cose, cbor2.CBORTag):
        if cose.tag != COSE_SIGN1_TAG:
            raise InvalidHcert("not a COSE_Sign1")
        cose = cose.value
    # cbor2 decodes arrays and maps under a tag as tuples and immutable mappings
    if not (isinstance(cose, (list, tuple)) and len(cose) == 4 and all(isinstance(cose[i], bytes) for i in (0, 2, 3))
            and isinstance(cose[1], Mapping)):
        raise InvalidHcert("not a COSE_Sign1")
    protected_bytes, unprotected, payload, signature = cose
    protected = _cbor(protected_bytes, "protected header") if protected_bytes else {}
    if not isinstance(protected, Mapping) or protected.get(1) != ES256:
        raise InvalidHcert("unexpected algorithm (ES256 expected)")
    kid = protected.get(4, unprotected.get(4))
    claims = _cbor(payload, "payload")
    if not isinstance(kid, bytes) or not isinstance(claims, Mapping):
        raise InvalidHcert("no kid or no claims")
    return Decoded(kid, _plain(claims), signature, cbor2.dumps(["Signature1", protected_bytes, b"", payload]))


def _plain(value: Any) -> Any:
    """Decoded CBOR as plain dicts and lists."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def public_keys(trust_list: list[Mapping[str, Any]]) -> dict[bytes, ec.EllipticCurvePublicKey]:
    """The keys of a trust list (entries with `rawData`, a DSC's DER in base64), by their COSE kid."""
    keys: dict[bytes, ec.EllipticCurvePublicKey] = {}
    for entry in trust_list:
        der = base64.b64decode(entry["rawData"])
        key = x509.load_der_x509_certificate(der).public_key()
        if isinstance(key, ec.EllipticCurvePublicKey):
            keys[kid_of(der)] = key
    return keys


@dataclass(frozen=True)
class Verdict:
    status: str  # valid | invalid | revoked
    reason: str = ""
    hcert: dict[str, Any] = field(default_factory=dict)
    uvci: str = ""
    unknown_key: bool = False


def uvci_hash(uvci: str) -> str:
    """The revocation entry of hash type UCI: the first 128 bits of the UVCI's SHA-256, base64."""
    return base64.b64encode(hashlib.sha256(uvci.encode()).digest()[:16]).decode()


def verify(text: str, keys: Mapping[bytes, ec.EllipticCurvePublicKey], revoked_hashes: Collection[str] = (),
           now: float | None = None) -> Verdict:
    """Check an `HC1:` text against the issuer's document signers and its UVCI revocation hashes."""
    try:
        decoded = decode(text)
        key = keys.get(decoded.kid)
        if key is None:
            return Verdict(INVALID, "signed by an unknown document signer", unknown_key=True)
        if len(decoded.signature) != 64:
            raise InvalidHcert("malformed signature")
        signature = encode_dss_signature(int.from_bytes(decoded.signature[:32], "big"),
                                         int.from_bytes(decoded.signature[32:], "big"))
        try:
            key.verify(signature, decoded.to_be_signed, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise InvalidHcert("signature does not match") from None
        hcert, uvci = decoded.hcert, decoded.uvci
        expires = decoded.claims.get(4)
        if not isinstance(expires, int) or expires < (time.time() if now is None else now):
            return Verdict(INVALID, "expired", hcert, uvci)
    except InvalidHcert as problem:
        return Verdict(INVALID, str(problem))
    if uvci and uvci_hash(uvci) in revoked_hashes:
        return Verdict(REVOKED, "the issuer revoked this certificate", hcert, uvci)
    return Verdict(VALID, "", hcert, uvci)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Verify an EU Digital COVID Certificate (HC1:) offline.")
    parser.add_argument("--trust-list", required=True,
                        help="the issuer's DSC trust list (/v2/certificate/dcc/trust-list)")
    parser.add_argument("--revoked", help="the UVCI hash list (/v2/certificate/dcc/revoked)")
    parser.add_argument("qr", help="the text the QR code holds")
    args = parser.parse_args(argv)
    with open(args.trust_list, encoding="utf-8") as listing:
        keys = public_keys(json.load(listing))
    revoked: set[str] = set()
    if args.revoked:
        with open(args.revoked, encoding="utf-8") as listing:
            revoked = {entry["hash"] for batch in json.load(listing) for entry in batch["entries"]}
    verdict = verify(args.qr, keys, revoked)
    print(json.dumps({"status": verdict.status, "reason": verdict.reason, "uvci": verdict.uvci,
                      "eu_dgc_v1": verdict.hcert}, indent=2, ensure_ascii=False))
    return 0 if verdict.status == VALID else 1


if __name__ == "__main__":
    sys.exit(main())
