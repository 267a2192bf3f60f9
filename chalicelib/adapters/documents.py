"""Certificate PDFs in S3: a private bucket, every object encrypted with KMS (SSE-KMS), never public.

Objects are keyed by certificate id, so writing one again (a retried issuance) replaces it with
the same certificate, and a corrected certificate is a new object.
"""
from __future__ import annotations

from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings

PDF = "application/pdf"
NOTHING_PUBLIC = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                  "RestrictPublicBuckets": True}


def bucket() -> str:
    return get_settings().certificate_bucket


def certificate_key(certificate_id: str) -> str:
    return f"certificates/{certificate_id}.pdf"


def international_key(certificate_id: str) -> str:
    return f"certificates/{certificate_id}-international.pdf"


def signer_key(kid: str) -> str:
    """Where a signing key's document signer certificate (DER) is kept."""
    return f"keys/{kid}.der"


def put_pdf(key: str, body: bytes) -> None:
    client("s3").put_object(Bucket=bucket(), Key=key, Body=body, ContentType=PDF, ServerSideEncryption="aws:kms")


def get_pdf(key: str) -> bytes:
    return client("s3").get_object(Bucket=bucket(), Key=key)["Body"].read()


def get_document(key: str) -> bytes | None:
    s3 = client("s3")
    try:
        return s3.get_object(Bucket=bucket(), Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None


def put_document_once(key: str, body: bytes, content_type: str) -> bool:
    """Write `key` unless it exists (If-None-Match: *); False when another writer was first."""
    s3 = client("s3")
    try:
        s3.put_object(Bucket=bucket(), Key=key, Body=body, ContentType=content_type, ServerSideEncryption="aws:kms",
                      IfNoneMatch="*")
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("PreconditionFailed", "ConditionalRequestConflict"):
            return False
        raise
    return True


def create_bucket() -> None:
    """Locally, on moto."""
    s3 = client("s3")
    s3.create_bucket(Bucket=bucket(), CreateBucketConfiguration={"LocationConstraint": get_settings().region})
    s3.put_public_access_block(Bucket=bucket(), PublicAccessBlockConfiguration=NOTHING_PUBLIC)


def cloudformation_resources() -> dict[str, Any]:
    return {"CertificateBucket": {
        "Type": "AWS::S3::Bucket",  # kept when its stack goes (infra/resources.keep_the_records)
        "Properties": {
            "BucketName": bucket(),
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{
                "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]},
            "PublicAccessBlockConfiguration": NOTHING_PUBLIC,
            "VersioningConfiguration": {"Status": "Enabled"},
        },
    }}
