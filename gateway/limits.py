"""Limits on what a request may bring (issue 11, items 5 and 6; docs/limits.md), checked
before a route runs, so also for anonymous callers:

- a body longer than ``MAX_CONTENT_LENGTH`` (``CARNET_MAX_CONTENT_LENGTH``, default 1 MiB)
  is answered 413 ``payload_too_large`` from its ``Content-Length`` without reading it
  (a chunked body is cut off by werkzeug at the same limit, also a 413);
- a JSON body nested deeper than ``MAX_DEPTH`` is answered 400 before it is parsed (the
  parser would recurse, and fail with a RecursionError, long before memory is a concern);
- a path segment that cannot be stored (NUL, lone surrogate) is answered 400.

Oversized request lines and headers are refused by gunicorn before Flask sees them; its
answers are in the error envelope too (``gateway/gunicorn_errors.py``).
"""
import re

from flask import request

from services.common import config
from services.common.schemas import MAX_DEPTH, unstorable_reason

from . import errors

DEFAULT_MAX_CONTENT_LENGTH = 1024 * 1024

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(rb"[\[\]{}]")


def max_content_length() -> int:
    return int(config.env("CARNET_MAX_CONTENT_LENGTH", str(DEFAULT_MAX_CONTENT_LENGTH)))


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """True if the JSON text ``raw`` nests objects/arrays more than ``limit`` levels, read
    without parsing it (brackets inside strings do not count)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for bracket in _BRACKETS.findall(_STRING.sub(b'""', raw)):
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def too_large():
    limit = max_content_length()
    return errors.envelope(413, "payload_too_large",
                           f"the request body is larger than {limit} bytes",
                           {"body": [f"at most {limit} bytes"]})


def check_request():
    """``before_request``: refuse what is out of bounds; None lets the request through."""
    length = request.content_length
    if length is not None and length > max_content_length():
        return too_large()
    if length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        # werkzeug stops reading a chunked body at the limit (silently): reaching it is
        # going over it (a body of exactly the limit, chunked, is refused too)
        if len(request.get_data(cache=True)) >= max_content_length():
            return too_large()
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and unstorable_reason(value):
            return errors.envelope(400, "validation_error", "the request is not valid",
                                   {name: [unstorable_reason(value)]})
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype \
            and request.mimetype.endswith("json"):
        raw = request.get_data(cache=True)  # bounded by MAX_CONTENT_LENGTH (413 beyond)
        if too_deep(raw):
            return errors.envelope(400, "validation_error", "the request body is not valid",
                                   {"body": [f"nested more than {MAX_DEPTH} levels deep"]})
    return None


class CloseWhenTooLarge:
    """WSGI middleware: when the announced body is over the limit, ask gunicorn to close
    the connection after the 413 (``Connection: close``), so that the client does not
    send its next request on a connection gunicorn is about to drop (it drains at most
    64 KiB of an unread body). gunicorn's ``start_response`` is a method of its response
    object, the only handle the application has on it; other servers are left alone."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_content_length():
            response = getattr(start_response, "__self__", None)
            if hasattr(response, "force_close"):
                response.force_close()
        return self.app(environ, start_response)


def install(app):
    app.config["MAX_CONTENT_LENGTH"] = max_content_length()
    app.before_request(check_request)
    app.wsgi_app = CloseWhenTooLarge(app.wsgi_app)
