"""The certificate signing keys: asymmetric KMS keys (ECC_NIST_P256, SIGN_VERIFY) whose private half
never leaves KMS.

- `alias/teeka-<country>-<stage>-certificates` names the key that signs now (`kms:Sign`, ECDSA_SHA_256).
- Every key that ever signed keeps an alias `alias/teeka-<country>-<stage>-certificates/<created>`: those are
  the keys the JWKS publishes, so certificates signed before a rotation still verify.
- Rotation (`rotate`) creates a key, gives it its own alias and points the signing alias at it.
  Retiring a compromised key is deleting its alias: everything it signed stops verifying.
A key's `kid` is its RFC 7638 thumbprint, so a verifier needs nothing from KMS.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

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


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    kid: str


@lru_cache(maxsize=1)
def _signing_key_at(bucket: int) -> SigningKey:
    """The key behind the signing alias, looked up again every few minutes so a rotation takes effect."""
    response = client("kms").get_public_key(KeyId=signing_alias())
    return SigningKey(response["KeyId"], jwk_from_der(response["PublicKey"])["kid"])


def signing_key(now: float | None = None) -> SigningKey:
    return _signing_key_at(int((time.time() if now is None else now) // JWKS_CACHE_SECONDS))


def sign(message: bytes, key: SigningKey) -> bytes:
    """ES256 signature (JOSE's r||s) of `message` by `key`: one kms:Sign call (KMS hashes RAW messages
    of up to 4 KiB itself; the QR's size bound keeps ours near 1 KiB)."""
    response = client("kms").sign(KeyId=key.key_id, Message=message, MessageType="RAW",
                                  SigningAlgorithm="ECDSA_SHA_256")
    return jose_signature(response["Signature"])


@lru_cache(maxsize=1)
def _jwks_at(bucket: int) -> dict:
    kms = client("kms")
    prefix = signing_alias() + "/"
    key_ids: list[str] = []
    for page in kms.get_paginator("list_aliases").paginate():
        key_ids += [alias["TargetKeyId"] for alias in page["Aliases"]
                    if alias["AliasName"].startswith(prefix) and alias.get("TargetKeyId")]
    keys = [jwk_from_der(kms.get_public_key(KeyId=key_id)["PublicKey"]) for key_id in dict.fromkeys(key_ids)]
    return {"keys": keys}


def jwks(now: float | None = None) -> dict:
    """Every published key, as a JWKS. Cached per container for a few minutes."""
    return _jwks_at(int((time.time() if now is None else now) // JWKS_CACHE_SECONDS))


_last_refresh = 0.0


def refresh_jwks(now: float | None = None) -> bool:
    """Drop the cached JWKS (a key published since it was read); at most once a minute, since anyone
    can present an unknown kid. True when it was dropped."""
    global _last_refresh
    now = time.time() if now is None else now
    if now - _last_refresh < JWKS_REFRESH_SECONDS:
        return False
    _last_refresh = now
    _jwks_at.cache_clear()
    return True


def clear_cache() -> None:
    _signing_key_at.cache_clear()
    _jwks_at.cache_clear()


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
    """Sign with a new key from now on; the old one stays published. Returns the new key's id."""
    key_id = create_key(now)
    kms = client("kms")
    try:
        kms.update_alias(AliasName=signing_alias(), TargetKeyId=key_id)
    except kms.exceptions.NotFoundException:
        kms.create_alias(AliasName=signing_alias(), TargetKeyId=key_id)
    clear_cache()
    return key_id


def cloudformation_resources() -> dict:
    """The first signing key and its two aliases; later keys come from `python -m infra.rotate_key`."""
    stage = get_settings().resource_prefix
    return {
        "CertificateSigningKey": {
            "Type": "AWS::KMS::Key",
            # Deleting a signing key would make every certificate it signed unverifiable.
            "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Description": _description(),
                "KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY", "Enabled": True,
                "KeyPolicy": {"Version": "2012-10-17", "Statement": [{
                    "Sid": "AccountAdministers", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
                    "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}}]},
                "Tags": [{"Key": PURPOSE_TAG, "Value": "certificates"}, {"Key": STAGE_TAG, "Value": stage}],
            },
        },
        "CertificateSigningAlias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": signing_alias(), "TargetKeyId": {"Ref": "CertificateSigningKey"}},
        },
        "CertificateSigningKeyPublished": {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": f"{signing_alias()}/initial", "TargetKeyId": {"Ref": "CertificateSigningKey"}},
        },
    }
