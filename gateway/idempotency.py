"""``Idempotency-Key`` for the POSTs that book, charge, cancel or check out (docs/http-api.md).

A keyed request writes twice to the gateway's store, each one statement (on PostgreSQL in
autocommit, with no transaction around it): the key is claimed before the work (``begin``:
insert-or-read, so that a retry meanwhile is told to wait, even on another gateway) and the
answer recorded after it (``complete``); a replay reads the stored answer and writes
nothing."""
import os
from functools import wraps
from pathlib import Path

from flask import current_app, make_response, request

from services.common import config, db
from services.common.errors import CarnetError, InvalidInput

from . import settings
from .auth import current_principal
from .errors import carnet_error_response, status_for
from .idempotency_store import IdempotencyStore, fingerprint

_store = {}


def store() -> IdempotencyStore:
    """One store per worker process (created after gunicorn forks); its pool has one
    connection per thread, the most the worker uses at once."""
    pid = os.getpid()
    if pid not in _store:
        engine = db.make_engine(config.database_url("gateway"), pool_size=settings.threads(),
                                max_overflow=2)
        db.migrate(engine, Path(__file__).parent / "migrations", "gateway")
        _store[pid] = IdempotencyStore(engine)
    return _store[pid]


def idempotent(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return view(*args, **kwargs)
        if len(key) > 255:
            raise InvalidInput("the Idempotency-Key is too long",
                               {"Idempotency-Key": ["at most 255 characters"]})
        principal = current_principal(optional=True)
        scope = f"{kwargs.get('org', '-')}:{principal.subject if principal else 'anonymous'}"
        fp = fingerprint(request.method, request.path, request.get_json(silent=True))
        replay = store().begin(scope, key, fp)
        if replay is not None:
            status, body = replay
            response = make_response(current_app.json.response(body), status)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        try:
            response = make_response(view(*args, **kwargs))
        except Exception as error:
            # A refusal (4xx) is an answer and is replayed; anything else may be retried.
            if isinstance(error, CarnetError) and status_for(error) < 500:
                response = carnet_error_response(error)
                store().complete(scope, key, response.status_code, response.get_json())
                return response
            store().abandon(scope, key)
            raise
        if response.status_code >= 500:
            store().abandon(scope, key)
        else:
            store().complete(scope, key, response.status_code, response.get_json(silent=True))
        return response
    return wrapper
