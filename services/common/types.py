"""Column types and ids shared by every service's models."""
import uuid
from datetime import datetime

from sqlalchemy import DateTime, TypeDecorator

from .clock import ensure_utc


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes in and out, on PostgreSQL and SQLite alike."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("UTCDateTime takes datetimes")
        value = ensure_utc(value)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return ensure_utc(value) if value is not None else None


def new_id(prefix: str) -> str:
    """Readable, unguessable ids: ``act_9f1c…`` (96 random bits)."""
    return f"{prefix}_{uuid.uuid4().hex[:24]}"
