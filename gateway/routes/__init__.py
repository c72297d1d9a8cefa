"""One module of routes per area of API.md; each exposes ``blp``."""
from . import accounts, auth, catalog, ops

ROUTES = [ops.blp, auth.blp, accounts.blp, catalog.blp]
