"""docs/http-api.md routes: auth. Tokens for admins and staff (from an API key) and for customers
(email and password); both public, both answer ``{token, expires_at}``. Both are throttled
per account and per client address (``gateway/throttle.py``): 429 ``too_many_requests``
with ``Retry-After``."""

from services.accounts.contract.credentials import normalize_email, parse_api_key
from services.accounts.contract.schemas import LoginRequest, TokenOut, TokenRequest
from services.common.errors import Unauthenticated

from .. import throttle
from ..rpc import call
from .blueprint import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="auth")


@blp.route("/auth/token", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(TokenRequest)
@blp.response(200, TokenOut)
@blp.alt_response(401, description="the API key is not valid")
@blp.alt_response(429, description="too_many_requests: too many failed attempts for this key "
                                   "or from this address; see Retry-After")
def token(body):
    """A token for an admin or staff API key."""
    parsed = parse_api_key(body["api_key"])
    account = ("key", parsed[0]) if parsed else None
    with throttle.guarded(account, failures=(Unauthenticated,)):
        return call("accounts", "token_for_api_key", body["api_key"])


@blp.route("/auth/login", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(LoginRequest)
@blp.response(200, TokenOut)
@blp.alt_response(401, description="wrong email or password (one message for both)")
@blp.alt_response(429, description="too_many_requests: too many failed attempts for this "
                                   "e-mail or from this address; see Retry-After")
def login(body):
    """A customer token (carrying the account) for an account's email and password."""
    account = ("login", f"{body['org_id']}|{normalize_email(body['email'])}")
    with throttle.guarded(account, failures=(Unauthenticated,)):
        return call("accounts", "login", body["org_id"], body["email"], body["password"])
