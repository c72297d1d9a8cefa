"""Passes's tables. This service's database is its own; nobody else reads it."""
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from services.common.outbox import define_tables

metadata = MetaData()
define_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata
