from services.common.migrations_env import run
from services.accounts.adapters.models import metadata

run(metadata)
