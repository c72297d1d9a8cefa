"""Argon2id password hashing, kept off the eventlet hub.

Hashing costs tens of milliseconds of CPU and 64 MiB by design; argon2-cffi releases the
GIL, so under Nameko it runs in eventlet's thread pool and the service keeps answering
other calls meanwhile. Outside eventlet (domain tests, scripts) it runs inline.
"""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified when the email is unknown, so that both failures cost the same time.
_DUMMY_HASH = _hasher.hash("carnet-no-such-account")


def _offload(fn, *args):
    try:
        from eventlet import patcher, tpool
    except ImportError:  # pragma: no cover
        return fn(*args)
    if patcher.is_monkey_patched("thread"):
        return tpool.execute(fn, *args)
    return fn(*args)


def hash_password(password: str) -> str:
    return _offload(_hasher.hash, password)


def _verify(stored_hash, password):
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(stored_hash, password: str) -> bool:
    """True when ``password`` matches; with no stored hash, spends the same effort and
    answers False."""
    if not stored_hash:
        _offload(_verify, _DUMMY_HASH, password)
        return False
    return bool(_offload(_verify, stored_hash, password))
