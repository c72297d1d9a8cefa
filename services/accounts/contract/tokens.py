"""Bearer tokens: JWT HS256 with the claims the gateway verifies (``gateway/auth.py``):
``sub``, ``org``, ``role``, ``account`` (customers only), ``cv``, ``iat``, ``exp``.

``cv`` is the credential version the token was issued under: 0 for an API key (a key is
revoked, never re-versioned), the account's ``credential_version`` for a customer (it grows
when the password changes). The gateway refuses a token whose key is revoked or whose
``cv`` is older than the account's (docs/security.md).
"""
from datetime import datetime, timedelta, timezone

import jwt

ALGORITHM = "HS256"
REQUIRED = ("exp", "iat", "sub", "org", "role", "cv")
ROLES = ("admin", "staff", "customer")


class TokenRejected(Exception):
    """The token is not acceptable; the message says why (for the 401)."""


def issue(secret: str, *, subject: str, org_id: str, role: str, now: datetime,
          ttl_seconds: int, account_id: str = None, credential_version: int = 0) -> dict:
    """``{token, expires_at}`` (``expires_at`` RFC 3339, UTC)."""
    now = now.astimezone(timezone.utc).replace(microsecond=0)
    expires = now + timedelta(seconds=int(ttl_seconds))
    claims = {"sub": subject, "org": org_id, "role": role, "cv": int(credential_version),
              "iat": int(now.timestamp()), "exp": int(expires.timestamp())}
    if account_id is not None:
        claims["account"] = account_id
    token = jwt.encode(claims, secret, algorithm=ALGORITHM)
    return {"token": token, "expires_at": expires.isoformat()}


def verify(secret: str, token: str, *, now: datetime, ttl_seconds: int,
           leeway_seconds: int) -> dict:
    """The claims of a token this deployment could have issued, else TokenRejected.

    Beyond the signature and ``exp``: every claim present, a lifetime (``exp - iat``) no
    longer than the configured TTL, and an ``iat`` not in the future (beyond ``leeway``
    for clock skew). A token that a leaked or guessed key could mint for a century is
    thus useless past one TTL."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM],
                            options={"require": ["exp", "iat"]}, leeway=0)
    except jwt.ExpiredSignatureError:
        raise TokenRejected("the token has expired; ask for a new one")
    except jwt.InvalidTokenError:
        raise TokenRejected("the token is not valid")
    if any(name not in claims for name in REQUIRED):
        raise TokenRejected("the token is not valid")
    iat, exp, cv = claims["iat"], claims["exp"], claims["cv"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (iat, exp, cv)):
        raise TokenRejected("the token is not valid")
    if claims["role"] not in ROLES or not isinstance(claims["sub"], str) \
            or not isinstance(claims["org"], str):
        raise TokenRejected("the token is not valid")
    if claims["role"] == "customer" and claims.get("account") != claims["sub"]:
        raise TokenRejected("the token is not valid")
    if exp - iat > int(ttl_seconds) or exp <= iat:
        raise TokenRejected("the token's lifetime is longer than this deployment issues")
    if iat > now.timestamp() + int(leeway_seconds):
        raise TokenRejected("the token is issued in the future")
    return claims
