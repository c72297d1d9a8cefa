from services.common.migrations_env import run
from services.registration.adapters.models import metadata

run(metadata)
