"""Bearer tokens: JWT HS256 with the claims the gateway verifies (``gateway/auth.py``):
``sub``, ``org``, ``role``, ``account`` (customers only), ``iat``, ``exp``."""
from datetime import datetime, timedelta, timezone

import jwt

ALGORITHM = "HS256"


def issue(secret: str, *, subject: str, org_id: str, role: str, now: datetime,
          ttl_seconds: int, account_id: str = None) -> dict:
    """``{token, expires_at}`` (``expires_at`` RFC 3339, UTC)."""
    now = now.astimezone(timezone.utc).replace(microsecond=0)
    expires = now + timedelta(seconds=int(ttl_seconds))
    claims = {"sub": subject, "org": org_id, "role": role,
              "iat": int(now.timestamp()), "exp": int(expires.timestamp())}
    if account_id is not None:
        claims["account"] = account_id
    token = jwt.encode(claims, secret, algorithm=ALGORITHM)
    return {"token": token, "expires_at": expires.isoformat()}
