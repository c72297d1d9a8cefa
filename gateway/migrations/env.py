from gateway.idempotency_store import metadata
from services.common.migrations_env import run

run(metadata)
