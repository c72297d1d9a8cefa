"""API.md routes: auth. Tokens for admins and staff (from an API key) and for customers
(email and password); both public, both answer ``{token, expires_at}``."""
from flask_smorest import Blueprint

from services.accounts.schemas import LoginRequest, TokenOut, TokenRequest

from ..rpc import call

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="auth")


@blp.route("/auth/token", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(TokenRequest)
@blp.response(200, TokenOut)
@blp.alt_response(401, description="the API key is not valid")
def token(body):
    """A token for an admin or staff API key."""
    return call("accounts", "token_for_api_key", body["api_key"])


@blp.route("/auth/login", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(LoginRequest)
@blp.response(200, TokenOut)
@blp.alt_response(401, description="wrong email or password (one message for both)")
def login(body):
    """A customer token (carrying the account) for an account's email and password."""
    return call("accounts", "login", body["org_id"], body["email"], body["password"])
