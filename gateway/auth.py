"""Bearer tokens (JWT, signed by the accounts service, verified here; whether their key or
password is still current is asked of accounts at most every few seconds per subject,
``credentials.py``) and the role and org checks of docs/http-api.md."""
from dataclasses import dataclass
from functools import wraps

from flask import g, request

from services.accounts.contract import tokens
from services.common import config
from services.common.cache import PeerCache
from services.common.clock import utcnow
from services.common.errors import Forbidden, Unauthenticated

from . import credentials

ROLES = tokens.ROLES
STAFF = ("admin", "staff")
MAX_TOKEN_LENGTH = 4096
EXPIRED = "the token has expired; ask for a new one"

# Tokens this process has verified (signature, claims, lifetime), by their exact text: a
# client sends the same token with every request, and checking an HMAC signature again each
# time cost more than the rest of the gateway's work. Only expiry changes with time: it is
# checked on every use. Revocation is not cached here (credentials.py).
_verified = PeerCache(seconds=None, size=10_000)


@dataclass(frozen=True)
class Principal:
    subject: str
    org_id: str
    role: str
    account_id: str = None

    @property
    def is_staff(self):
        return self.role in STAFF


def decode(token: str) -> Principal:
    """The principal of a token: signed with this deployment's secret, within its lifetime
    cap (``tokens.verify``), and issued under its key's or account's current credential
    (``credentials.ensure_current``: revoked keys and changed passwords, docs/security.md)."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise Unauthenticated("the token is not valid")
    now = utcnow()
    claims = _verified.get(token, lambda: _verify(token, now))
    if claims["exp"] <= now.timestamp():
        raise Unauthenticated(EXPIRED)
    credentials.ensure_current(claims["org"], claims["sub"], claims["cv"])
    return Principal(claims["sub"], claims["org"], claims["role"], claims.get("account"))


def _verify(token, now):
    try:
        return tokens.verify(config.jwt_secret(), token, now=now,
                             ttl_seconds=config.token_ttl_seconds(),
                             leeway_seconds=config.token_leeway_seconds())
    except tokens.TokenRejected as refused:
        raise Unauthenticated(str(refused))


def current_principal(optional=False):
    if "principal" in g:
        return g.principal
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        if optional:
            return None
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    g.principal = decode(token.strip())
    return g.principal


def authorize(*roles, public=False):
    """Require a token with one of ``roles`` for the org in the path (``org`` argument).

    ``public=True`` lets anonymous callers through (``g.principal`` is then None) but still
    checks the org of a token that is sent.
    """
    allowed = roles or ROLES

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal(optional=public)
            if principal is not None:
                org = kwargs.get("org")
                if org is not None and principal.org_id != org:
                    raise Forbidden("this token belongs to another organisation")
                if principal.role not in allowed:
                    raise Forbidden(f"this action needs the role {' or '.join(allowed)}")
            return view(*args, **kwargs)
        return wrapper
    return decorator


def ensure_account_access(account_id):
    """Customers act on their own account only (R1.2); staff on any account of their org."""
    principal = current_principal()
    if principal.role == "customer" and principal.account_id != account_id:
        raise Forbidden("customers can only act on their own account")
