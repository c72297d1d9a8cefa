"""Brute-force throttling of sign-in (``POST /auth/login``, ``POST /auth/token``) and of
password changes: failed attempts are counted per account (org + e-mail, or API key id, or
account id) and per client address, in the gateway's database so that every gateway
instance shares them (docs/security.md).

A fixed window per counter: at most ``limit`` failures in ``CARNET_LOGIN_WINDOW_SECONDS``
(default 900) from the first one; past that, 429 ``too_many_requests`` with ``Retry-After``
(the seconds until the window ends) without asking accounts at all, so a correct password
found by guessing is not even checked. An attempt is counted *before* it is checked (a
conditional update), so a burst of parallel guesses cannot overshoot the limit; a success
gives the address's count back and clears the account's.

Settings: ``CARNET_LOGIN_MAX_FAILURES_PER_ACCOUNT`` (10), ``CARNET_LOGIN_MAX_FAILURES_PER_
ADDRESS`` (50), 0 disables a limit; ``CARNET_TRUSTED_PROXY_HOPS`` (0): how many proxies in
front of the gateway append to ``X-Forwarded-For`` (0: the TCP peer is the client).
"""
import hashlib
import math
import random
from contextlib import contextmanager
from datetime import timedelta

from flask import request
from sqlalchemy import Column, Integer, MetaData, String, Table, delete, select, update

from services.common import config
from services.common.clock import utcnow
from services.common.db import insert_ignoring_duplicates
from services.common.errors import TooManyRequests
from services.common.types import UTCDateTime

metadata = MetaData()
counters = Table(
    "login_throttle", metadata,
    Column("key", String(64), primary_key=True),  # sha256 of kind:value, no e-mail stored
    Column("window_start", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
)


def window_seconds() -> int:
    return int(config.env("CARNET_LOGIN_WINDOW_SECONDS", "900"))


def account_limit() -> int:
    return int(config.env("CARNET_LOGIN_MAX_FAILURES_PER_ACCOUNT", "10"))


def address_limit() -> int:
    return int(config.env("CARNET_LOGIN_MAX_FAILURES_PER_ADDRESS", "50"))


def client_address() -> str:
    hops = int(config.env("CARNET_TRUSTED_PROXY_HOPS", "0"))
    if hops > 0:
        forwarded = [part.strip() for part in
                     request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote_addr or "unknown"


def _digest(kind, value) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _engine():
    from .idempotency import store  # the gateway's database, migrated on first use
    return store().engine


def _reserve(engine, key, limit, window):
    """Count one attempt under ``key``: None, or the seconds to wait when the limit is
    reached (nothing counted then)."""
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(insert_ignoring_duplicates(counters, ["key"]).values(
            key=key, window_start=now, attempts=0))
        conn.execute(update(counters).where(counters.c.key == key,
                                            counters.c.window_start <= now - window)
                     .values(window_start=now, attempts=0))
        taken = conn.execute(update(counters).where(counters.c.key == key,
                                                    counters.c.attempts < limit)
                             .values(attempts=counters.c.attempts + 1)).rowcount
        if taken:
            return None
        start = conn.execute(select(counters.c.window_start)
                             .where(counters.c.key == key)).scalar_one()
    return max(1, math.ceil((start + window - now).total_seconds()))


def _give_back(engine, key):
    with engine.begin() as conn:
        conn.execute(update(counters).where(counters.c.key == key, counters.c.attempts > 0)
                     .values(attempts=counters.c.attempts - 1))


def _clear(engine, key):
    with engine.begin() as conn:
        conn.execute(delete(counters).where(counters.c.key == key))


def _sweep(engine, window):
    """Now and then, forget counters whose window ended long ago."""
    if random.random() < 0.02:
        with engine.begin() as conn:
            conn.execute(delete(counters).where(counters.c.window_start < utcnow() - window))


@contextmanager
def guarded(account=None, failures=()):
    """Around one sign-in attempt: ``account`` is ``(kind, value)`` naming what is tried
    (or None when nothing can be named, e.g. a malformed API key); ``failures`` are the
    exception types that mean "wrong credentials" (they stay counted). Raises
    TooManyRequests before the attempt when a limit is reached."""
    window = timedelta(seconds=window_seconds())
    engine = _engine()
    wanted = [(_digest("addr", client_address()), address_limit(), False)]
    if account is not None:
        wanted.append((_digest(*account), account_limit(), True))
    reserved = []
    for key, limit, is_account in wanted:
        if limit <= 0:
            continue
        wait = _reserve(engine, key, limit, window)
        if wait is not None:
            for taken, _ in reserved:
                _give_back(engine, taken)
            raise TooManyRequests(
                "too many failed attempts; try again later",
                {"retry_after": wait, "scope": "account" if is_account else "address"},
                retry_after=wait)
        reserved.append((key, is_account))
    try:
        yield
    except failures:
        raise  # a failed attempt: it stays counted
    except BaseException:
        for key, _ in reserved:  # not an answer about the credentials (503 …)
            _give_back(engine, key)
        raise
    else:
        for key, is_account in reserved:
            (_clear if is_account else _give_back)(engine, key)
    finally:
        _sweep(engine, window)
