"""One module of routes per area of API.md; each exposes ``blp``."""
from . import accounts, auth, catalog, ops, passes, registrations

ROUTES = [ops.blp, auth.blp, accounts.blp, catalog.blp, registrations.blp, passes.blp]
