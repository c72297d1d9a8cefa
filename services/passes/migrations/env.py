from services.common.migrations_env import run
from services.passes.adapters.models import metadata

run(metadata)
