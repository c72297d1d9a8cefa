"""The recovery timer's work: interrupted checkouts resumed (or undone), seats of removed
items given back, voids finished. Each is retried on the next tick until done."""
import logging

from .carts import pending_releases, release
from .checkout import recover_checkouts
from .invoices import finish_void, pending_voids

log = logging.getLogger(__name__)


def recover(ctx):
    recover_checkouts(ctx)
    for org_id, item_id, registration_id in pending_releases(ctx):
        release(ctx, org_id, item_id, registration_id)
    for org_id, invoice_id in pending_voids(ctx):
        try:
            finish_void(ctx, org_id, invoice_id)
        except Exception:
            log.warning("void of %s not finished yet", invoice_id, exc_info=True)
