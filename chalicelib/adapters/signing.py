"""The certificate signing keys: asymmetric KMS keys (ECC_NIST_P256, SIGN_VERIFY) whose private half
never leaves KMS.

- `alias/teeka-<country>-<stage>-certificates` names the key that signs now (`kms:Sign`, ECDSA_SHA_256).
- Every key that ever signed keeps an alias `alias/teeka-<country>-<stage>-certificates/<created>`: those are
  the keys the JWKS publishes, so certificates signed before a rotation still verify.
- Rotation creates a key, gives it its own alias and points the signing alias at it: `rotate` on the
  local stage, `python -m infra.rotate_key` through CloudFormation on a deployed one.
  Retiring a compromised key is deleting its alias: everything it signed stops verifying.
A key's `kid` is its RFC 7638 thumbprint, so a verifier needs nothing from KMS.

EU DCC verifiers trust X.509 document signer certificates (DSCs), not JWKs: each published key gets
one, made once (`document_signer`) and kept in the certificate bucket. For a pilot it is self-signed by
the key itself; a country's CSCA signs it instead in production (docs/certificates.md#trust).
"""
from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key
from cryptography.x509.oid import NameOID, ObjectIdentifier

from chalicelib import hcert
from chalicelib.adapters import documents
from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.verifier import jose_signature, jwk_from_der

JWKS_CACHE_SECONDS = 300
JWKS_REFRESH_SECONDS = 60  # an unknown kid refetches the JWKS at most this often per container
PURPOSE_TAG, STAGE_TAG = "teeka:purpose", "teeka:stage"


def _description() -> str:
    return f"Teeka {get_settings().resource_prefix}: signs vaccination certificates"


def signing_alias() -> str:
    return f"alias/{get_settings().resource_name('certificates')}"


DSC_VALID_YEARS = 5
# The EU DCC's extended key usage for a DSC that may sign vaccination certificates.
DCC_VACCINATION_ISSUER = ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.2")
ECDSA_WITH_SHA256 = bytes.fromhex("300a06082a8648ce3d040302")  # its DER AlgorithmIdentifier (RFC 5758)


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    kid: str
    public_der: bytes  # SubjectPublicKeyInfo


@lru_cache(maxsize=1)
def _signing_key_at(bucket: int) -> SigningKey:
    """The key behind the signing alias, looked up again every few minutes so a rotation takes effect."""
    response = client("kms").get_public_key(KeyId=signing_alias())
    return SigningKey(response["KeyId"], jwk_from_der(response["PublicKey"])["kid"], response["PublicKey"])


def signing_key(now: float | None = None) -> SigningKey:
    return _signing_key_at(int((time.time() if now is None else now) // JWKS_CACHE_SECONDS))


def sign(message: bytes, key: SigningKey) -> bytes:
    """ES256 signature (JOSE's r||s) of `message` by `key`: one kms:Sign call (KMS hashes RAW messages
    of up to 4 KiB itself; the QR's size bound keeps ours near 1 KiB)."""
    return jose_signature(_sign_der(message, key.key_id))


def _sign_der(message: bytes, key_id: str) -> bytes:
    response = client("kms").sign(KeyId=key_id, Message=message, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256")
    return response["Signature"]


@lru_cache(maxsize=1)
def _published_at(bucket: int) -> tuple[SigningKey, ...]:
    kms = client("kms")
    prefix = signing_alias() + "/"
    key_ids: list[str] = []
    for page in kms.get_paginator("list_aliases").paginate():
        key_ids += [alias["TargetKeyId"] for alias in page["Aliases"]
                    if alias["AliasName"].startswith(prefix) and alias.get("TargetKeyId")]
    published = []
    for key_id in dict.fromkeys(key_ids):
        public_der = kms.get_public_key(KeyId=key_id)["PublicKey"]
        published.append(SigningKey(key_id, jwk_from_der(public_der)["kid"], public_der))
    return tuple(published)


def published(now: float | None = None) -> tuple[SigningKey, ...]:
    """Every key that ever signed and is still trusted. Cached per container for a few minutes."""
    return _published_at(int((time.time() if now is None else now) // JWKS_CACHE_SECONDS))


def jwks(now: float | None = None) -> dict:
    """Every published key, as a JWKS."""
    return {"keys": [jwk_from_der(key.public_der) for key in published(now)]}


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    length = bytes([size]) if size < 128 else bytes([0x80 | (size.bit_length() + 7) // 8]) + \
        size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag]) + length + body


def _self_signed(key: SigningKey, now: datetime) -> bytes:
    """An X.509 certificate of `key` signed by `key` in KMS. `cryptography` signs only with a private key
    it holds, so the to-be-signed part is built with a throwaway key (same algorithm, so the same bytes
    but for the signature), then signed by KMS and wrapped as RFC 5280 says: SEQUENCE {tbsCertificate,
    signatureAlgorithm, signature BIT STRING}."""
    settings = get_settings()
    public = load_der_public_key(key.public_der)
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise ValueError("a certificate key must be EC P-256")
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, settings.country.country_code),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.country.certificate_authority[:64]),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"{settings.resource_prefix} DSC {key.kid[:8]}")])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=365 * DSC_VALID_YEARS))
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage([DCC_VACCINATION_ISSUER]), critical=False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False))
    tbs = builder.sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256()).tbs_certificate_bytes
    der = _der(0x30, tbs + ECDSA_WITH_SHA256 + _der(0x03, b"\x00" + _sign_der(tbs, key.key_id)))
    x509.load_der_x509_certificate(der).verify_directly_issued_by(x509.load_der_x509_certificate(der))
    return der


@lru_cache(maxsize=16)
def document_signer(key: SigningKey) -> bytes:
    """The DSC of `key` (DER): made once, by whichever worker gets there first (a conditional PutObject),
    and read back by everyone else, so every EU DCC of a key names the same certificate."""
    stored = documents.get_document(documents.signer_key(key.kid))
    if stored is None:
        documents.put_document_once(documents.signer_key(key.kid), _self_signed(key, datetime.now(UTC)),
                                    "application/pkix-cert")
        stored = documents.get_document(documents.signer_key(key.kid))
    if stored is None:
        raise RuntimeError("the document signer certificate could not be stored")
    return stored


def trust_list_entry(key: SigningKey) -> dict:
    """A key's DSC in the shape of the EU DCC Gateway's trust list entries."""
    der = document_signer(key)
    certificate = x509.load_der_x509_certificate(der)
    return {"kid": base64.b64encode(hcert.kid_of(der)).decode(), "country": get_settings().country.country_code,
            "certificateType": "DSC", "thumbprint": hashlib.sha256(der).hexdigest(),
            "rawData": base64.b64encode(der).decode(),
            "timestamp": certificate.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "expires": certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")}


def dcc_trust_list(now: float | None = None) -> list[dict]:
    """Every published key's DSC."""
    return [trust_list_entry(key) for key in published(now)]


_last_refresh = 0.0


def refresh_jwks(now: float | None = None) -> bool:
    """Drop the cached JWKS (a key published since it was read); at most once a minute, since anyone
    can present an unknown kid. True when it was dropped."""
    global _last_refresh
    now = time.time() if now is None else now
    if now - _last_refresh < JWKS_REFRESH_SECONDS:
        return False
    _last_refresh = now
    _published_at.cache_clear()
    return True


def clear_cache() -> None:
    _signing_key_at.cache_clear()
    _published_at.cache_clear()
    document_signer.cache_clear()


def create_key(now: float | None = None) -> str:
    """A new signing key with its published alias; returns its KMS id."""
    kms = client("kms")
    stage = get_settings().resource_prefix
    key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY", Description=_description(),
                            Tags=[{"TagKey": PURPOSE_TAG, "TagValue": "certificates"},
                                  {"TagKey": STAGE_TAG, "TagValue": stage}])["KeyMetadata"]["KeyId"]
    created = time.strftime("%Y%m%dT%H%M%S", time.gmtime(time.time() if now is None else now))
    kms.create_alias(AliasName=f"{signing_alias()}/{created}-{key_id[:8]}", TargetKeyId=key_id)
    return key_id


def rotate(now: float | None = None) -> str:
    """Sign with a new key from now on; the old one stays published. Returns the new key's id.

    For the local stage on moto: a deployed stage's aliases are its template's, rotated with
    `python -m infra.rotate_key` (infra/signing_keys.py), or the next deploy would move them back."""
    key_id = create_key(now)
    kms = client("kms")
    try:
        kms.update_alias(AliasName=signing_alias(), TargetKeyId=key_id)
    except kms.exceptions.NotFoundException:
        kms.create_alias(AliasName=signing_alias(), TargetKeyId=key_id)
    clear_cache()
    return key_id


def key_resource() -> dict:
    """One signing key as a CloudFormation resource (infra/signing_keys.py declares each generation)."""
    stage = get_settings().resource_prefix
    return {
        "Type": "AWS::KMS::Key",  # kept when its stack goes (infra/resources.keep_the_records)
        "Properties": {
            "Description": _description(),
            "KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY", "Enabled": True,
            "KeyPolicy": {"Version": "2012-10-17", "Statement": [{
                "Sid": "AccountAdministers", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
                "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}}]},
            "Tags": [{"Key": PURPOSE_TAG, "Value": "certificates"}, {"Key": STAGE_TAG, "Value": stage}],
        },
    }
