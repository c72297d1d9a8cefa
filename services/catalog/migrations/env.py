from services.common.migrations_env import run
from services.catalog.adapters.models import metadata

run(metadata)
