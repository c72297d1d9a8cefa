import pytest
from sqlalchemy import MetaData

from services.common import db
from services.common.outbox import define_tables


@pytest.fixture
def database(test_env):
    """A Database (as a service has) on this session's backend, outside Nameko."""
    from services.common.uow import Database
    metadata = MetaData()
    define_tables(metadata)
    database = Database("passes", metadata, "services/passes/migrations")
    database.engine = db.make_engine(test_env.env["PASSES_DATABASE_URL"], pool_size=4)
    db.migrate(database.engine, database.migrations_dir, "passes")
    published = []
    from services.common.outbox import OutboxRelay
    database.relay = OutboxRelay(database.engine, database.outbox, "passes",
                                 lambda service, type_, payload: published.append(payload))
    database.published = published
    yield database
    database.engine.dispose()
