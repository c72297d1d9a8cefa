from services.common.migrations_env import run
from services.billing.adapters.models import metadata

run(metadata)
