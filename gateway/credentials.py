"""Is a token's credential still valid? (API keys revoked, passwords changed.)

Tokens carry ``cv``, the credential version they were issued under (docs/security.md). The
accounts service knows the current one (``credential_state``); each gateway process keeps
its answers for ``CARNET_CREDENTIAL_CACHE_SECONDS`` (default 5), so a revocation or a
password change takes effect everywhere within that time, at the cost of at most one RPC
per subject per process per period (not one per request). Versions only grow and a revoked
key never comes back, so a token newer than the cached version (a login just after a
password change) refreshes the entry at once instead of being refused.
"""
from services.common import config
from services.common.cache import PeerCache
from services.common.errors import Unauthenticated

from .rpc import call

_versions = {}  # per process: a PeerCache living cache_seconds()


def cache_seconds() -> float:
    return float(config.env("CARNET_CREDENTIAL_CACHE_SECONDS", "5"))


def _cache() -> PeerCache:
    if "cache" not in _versions:
        _versions["cache"] = PeerCache(seconds=cache_seconds(), size=50_000)
    return _versions["cache"]


def _version(org_id, subject, refresh=False):
    key = (org_id, subject)
    if refresh:
        _cache().forget(key)
    return _cache().get(key, lambda: call("accounts", "credential_state", org_id,
                                            subject)["version"])


def ensure_current(org_id, subject, credential_version):
    """Unauthenticated unless the token's credential is still the current one."""
    version = _version(org_id, subject)
    if version is not None and credential_version > version:
        version = _version(org_id, subject, refresh=True)
    if version is None or credential_version != version:
        raise Unauthenticated("the token was revoked (its API key was revoked or the "
                              "password changed); ask for a new one")
