"""API keys of admins and staff (docs/http-api.md "Auth").

A key reads ``ck_<key id>_<secret>``: the key id (the hex part of the stored ``key_…`` id)
makes lookup a primary-key read, the secret (256 random bits) is stored only as its
SHA-256 digest. A slow hash is not needed for a secret of that entropy, and comparison is
constant-time. The full key is shown once, when it is created.
"""
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from ..contract.credentials import ID_PREFIX, PREFIX, ROLES  # noqa: F401
from ..contract.credentials import parse_api_key as parse  # noqa: F401

SECRET_BYTES = 32


@dataclass(frozen=True)
class NewKey:
    id: str
    api_key: str  # shown once
    secret_hash: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def generate() -> NewKey:
    hex_id = uuid.uuid4().hex[:24]
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return NewKey(id=f"{ID_PREFIX}_{hex_id}", api_key=f"{PREFIX}_{hex_id}_{secret}",
                  secret_hash=hash_secret(secret))


def verify(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash or "")
