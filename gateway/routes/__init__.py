"""One module of routes per area of docs/http-api.md; each exposes ``blp``."""
from . import (accounts, appointments, auth, billing, catalog, edits, ops, passes,
               registrations, policies, reports, waitlist)

ROUTES = [ops.blp, auth.blp, accounts.blp, catalog.blp, registrations.blp, appointments.blp,
          passes.blp, billing.blp, reports.blp,
          waitlist.blp, policies.blp, edits.blp]
