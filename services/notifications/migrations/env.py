from services.common.migrations_env import run
from services.notifications.adapters.models import metadata

run(metadata)
