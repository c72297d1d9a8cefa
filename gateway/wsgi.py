"""gunicorn entrypoint: ``gunicorn -c gateway/gunicorn.conf.py gateway.wsgi:app``."""
from services.common import config

from .app import create_app

config.jwt_secret()  # refuse to start without a usable token secret (docs/security.md)
app = create_app()
