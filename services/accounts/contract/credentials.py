"""What a credential looks like, shared by accounts (which issues and checks them) and the
gateway (which reads them before asking): the API key format, the password policy, how an
owner's email is compared, and the genders a member may have (docs/http-api.md "Auth", R1.2, R2.7)."""
import re

# -- API keys: ``ck_<key id>_<secret>`` (services/accounts/domain/api_keys.py) ----------------
ROLES = ("admin", "staff")
PREFIX = "ck"
ID_PREFIX = "key"
_KEY = re.compile(r"^ck_([0-9a-f]{24})_([A-Za-z0-9_-]{20,100})$")


def parse_api_key(api_key):
    """``(key id, secret)`` of a well-formed key, else None."""
    if not isinstance(api_key, str):
        return None
    match = _KEY.match(api_key.strip())
    if match is None:
        return None
    return f"{ID_PREFIX}_{match.group(1)}", match.group(2)


# -- customer passwords: 8 to 256 characters, not only spaces (NIST SP 800-63B) --------------
MIN_LENGTH = 8
MAX_LENGTH = 256


def policy_problems(password) -> list:
    """What is wrong with ``password`` (empty list: acceptable)."""
    if not isinstance(password, str):
        return ["must be a string"]
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters long")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters long")
    if password and not password.strip():
        problems.append("must not be only spaces")
    return problems


# -- people -------------------------------------------------------------------------------------
# Gender of a member, matched by activity restrictions (R2.7). "unspecified" is the
# default when a client would rather not say; "other" covers everything else.
GENDERS = ("female", "male", "other", "unspecified")
DEFAULT_GENDER = "unspecified"


def normalize_email(email: str) -> str:
    """Owner emails are unique per org regardless of case: stored trimmed and lower-cased."""
    return email.strip().lower()
