from services.common.idempotency import metadata
from services.common.migrations_env import run

run(metadata)
