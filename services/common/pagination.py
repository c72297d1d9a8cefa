"""``?limit=&cursor=`` pagination (docs/http-api.md): the cursor is opaque to clients."""
import base64
import json

from .errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor) -> int:
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        offset = int(json.loads(base64.urlsafe_b64decode(padded.encode()))["o"])
    except Exception:
        raise InvalidInput("the cursor is not valid", {"cursor": ["not a cursor we issued"]})
    if offset < 0:
        raise InvalidInput("the cursor is not valid", {"cursor": ["not a cursor we issued"]})
    return offset


def paginate(query, limit=None, cursor=None):
    """Apply to a SQLAlchemy ``select`` ordered deterministically; returns (rows, next_cursor)
    where rows come from ``session.execute(query).scalars()`` via the returned query."""
    limit = min(int(limit or DEFAULT_LIMIT), MAX_LIMIT)
    offset = decode_cursor(cursor)
    return query.offset(offset).limit(limit + 1), limit, offset


def page(rows, limit, offset):
    """Cut the ``limit + 1`` rows fetched by :func:`paginate` into (items, next_cursor)."""
    rows = list(rows)
    next_cursor = encode_cursor(offset + limit) if len(rows) > limit else None
    return rows[:limit], next_cursor
