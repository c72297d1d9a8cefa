"""Bearer tokens (JWT, signed by the accounts service, verified here without a round trip)
and the role and org checks of API.md."""
from dataclasses import dataclass
from functools import wraps

import jwt
from flask import g, request

from services.common import config
from services.common.errors import Forbidden, Unauthenticated

ROLES = ("admin", "staff", "customer")
STAFF = ("admin", "staff")


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
    try:
        claims = jwt.decode(token, config.jwt_secret(), algorithms=["HS256"],
                            options={"require": ["exp", "sub", "org", "role"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired; ask for a new one")
    except jwt.InvalidTokenError:
        raise Unauthenticated("the token is not valid")
    if claims["role"] not in ROLES:
        raise Unauthenticated("the token is not valid")
    return Principal(claims["sub"], claims["org"], claims["role"], claims.get("account"))


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
