"""Login tokens: HS256 JWTs carrying the subject mobile, roles and scope. And consents: HS256 JWTs
binding an operator to a citizen's mobile for a few minutes (docs/assisted-registration.md)."""
from __future__ import annotations

import hashlib
import hmac
import uuid

import jwt

from chalicelib.adapters.secrets import get_secrets
from chalicelib.domain.assisted import Consent
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.roles import Principal, Role, Scope

ISSUER = "teeka"
CONSENT_ISSUER = "teeka-consent"
ALGORITHM = "HS256"
CLOCK_SKEW_SECONDS = 60


def issue_token(principal: Principal, now: int, key: bytes, validity_seconds: int) -> str:
    claims = {
        "iss": ISSUER,
        "sub": principal.mobile,
        "roles": sorted(role.value for role in principal.roles),
        "scope": principal.scope.as_claim(),
        "iat": now,
        "exp": now + validity_seconds,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_token(token: str, now: int, key: bytes) -> Principal:
    """The principal of a valid token; Unauthenticated for anything missing, expired, forged or malformed."""
    try:
        # Time is checked against the caller's clock (injectable in tests), not PyJWT's own.
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub", "iss"], "verify_exp": False,
                                     "verify_iat": False})
        if not claims["iat"] - CLOCK_SKEW_SECONDS <= now < claims["exp"]:
            raise Unauthenticated("token expired or not yet valid")
        roles = frozenset(Role(role) for role in claims.get("roles", []))
        scope = Scope(**{k: int(v) for k, v in claims.get("scope", {}).items()})
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
        raise Unauthenticated(str(error)) from None
    return Principal(mobile=claims["sub"], roles=roles, scope=scope)


def authenticate(token: str, now: int) -> Principal:
    """The caller of a request, from its bearer token and the stage's current signing key."""
    return read_token(token, now, get_secrets().jwt_key)


def _consent_key(key: bytes) -> bytes:
    """Consents are signed with a key of their own, derived from the stage's: a consent can never pass
    for a login token (it would log its holder in as the citizen), nor a login token for a consent."""
    return hmac.new(key, b"teeka consent tokens", hashlib.sha256).digest()


def issue_consent(consent: Consent, key: bytes) -> str:
    claims = {"iss": CONSENT_ISSUER, "sub": consent.citizen, "op": consent.operator, "name": consent.operator_name,
              "desk": consent.desk, "iat": consent.issued_at, "exp": consent.expires_at, "jti": consent.consent_id}
    return jwt.encode(claims, _consent_key(key), algorithm=ALGORITHM)


def read_consent(token: str, key: bytes) -> Consent | None:
    """The consent a token carries, if we signed it; None for anything else. Whether it may be used
    (its operator, its time) is `domain.assisted.is_valid_for`'s to say."""
    try:
        claims = jwt.decode(token, _consent_key(key), algorithms=[ALGORITHM], issuer=CONSENT_ISSUER,
                            options={"require": ["iss", "sub", "op", "iat", "exp", "jti"], "verify_exp": False,
                                     "verify_iat": False})
        consent = Consent(consent_id=str(claims["jti"]), operator=str(claims["op"]), citizen=str(claims["sub"]),
                          operator_name=str(claims.get("name", "")), desk=str(claims.get("desk", "")),
                          issued_at=int(claims["iat"]), expires_at=int(claims["exp"]))
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None
    return consent
