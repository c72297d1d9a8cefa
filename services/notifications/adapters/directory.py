"""What a notice needs from the other services, asked by RPC (never inside a database
transaction): the recipient's e-mail (accounts), the org's name and language (catalog),
the org's test clock, the invoice and its receipt PDF (billing). Accounts and orgs are
cached briefly in the process."""
import base64
import logging
import time

from nameko.exceptions import MethodNotFound

from services.common import peers

from .. import settings

log = logging.getLogger(__name__)

_cache = {}  # (what, org_id, id) -> (expires, value)


def _cached(key, fetch):
    hit = _cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return hit[1]
    value = fetch()
    if len(_cache) > 10000:
        _cache.clear()
    _cache[key] = (now + settings.cache_seconds(), value)
    return value


def _account_view(found):
    view = {k: v for k, v in found.items() if k in ("id", "email", "name")}
    view["members"] = [{k: m.get(k) for k in ("id", "first_name", "last_name")}
                       for m in found.get("members") or []]
    return view


class Directory:
    def __init__(self, accounts, catalog, billing):
        self.accounts, self.catalog, self.billing = accounts, catalog, billing

    def account(self, org_id, account_id):
        """``{email, name, members}`` of the account (accounts.get_account); NotFound
        propagates. Members are kept as ``[{id, first_name, last_name}]`` (a waiting-list
        offer names the household's members still waiting)."""
        return _cached(("account", org_id, account_id), lambda: _account_view(
            peers.call(self.accounts, "get_account", org_id, account_id)))

    def org(self, org_id):
        return _cached(("org", org_id, None), lambda: {
            k: v for k, v in peers.call(self.catalog, "get_org", org_id).items()
            if k in ("id", "name", "locale", "currency", "timezone")})

    def on_test_clock(self, org_id) -> bool:
        """Whether billing runs this org on a test clock (asked every time: a test sets
        and clears it at will)."""
        answer = peers.call(self.billing, "get_test_clock", org_id)
        return bool(answer and answer.get("frozen"))

    def invoice(self, org_id, invoice_id):
        return peers.call(self.billing, "get_invoice", org_id, invoice_id)

    def receipt_pdf(self, org_id, invoice_id):
        """``(filename, bytes, mime)`` of the receipt, or None while billing has no
        ``get_receipt_pdf`` (the e-mail then goes without it)."""
        try:
            answer = peers.call(self.billing, "get_receipt_pdf", org_id, invoice_id)
        except MethodNotFound:
            log.warning("billing has no get_receipt_pdf: receipt e-mail sent without its PDF")
            return None
        return (answer.get("filename") or f"{invoice_id}.pdf",
                base64.b64decode(answer["content_base64"]), "application/pdf")
