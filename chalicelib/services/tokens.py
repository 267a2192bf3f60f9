"""Login tokens: HS256 JWTs carrying the subject mobile, roles and scope."""
from __future__ import annotations

import uuid

import jwt

from chalicelib.adapters.secrets import get_secrets
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.roles import Principal, Role, Scope

ISSUER = "teeka"
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
