"""What a notice needs from the other services, asked by RPC with a time limit
(``services.common.peers``; never inside a database transaction): the recipient's e-mail
(accounts), the org's name and language (catalog), the org's test clock, the invoice and
its receipt PDF (billing). Accounts and orgs are kept ``CARNET_NOTIFY_CACHE_SECONDS`` in
the process (``services.common.cache.PeerCache``)."""
import base64
import logging

from nameko.exceptions import IncorrectSignature, MethodNotFound

from services.common import config, peers
from services.common.cache import PeerCache
from services.common.errors import NotFound

from ..contract.errors import NotificationAccountNotFound
from . import settings

log = logging.getLogger(__name__)

_accounts = PeerCache(seconds=settings.cache_seconds())
_orgs = PeerCache(seconds=settings.cache_seconds())


def _account_view(found):
    view = {k: v for k, v in found.items() if k in ("id", "email", "name")}
    view["members"] = [{k: m.get(k) for k in ("id", "first_name", "last_name")}
                       for m in found.get("members") or []]
    return view


class Peers:
    def __init__(self, accounts, catalog, billing):
        self.accounts, self.catalog, self.billing = accounts, catalog, billing

    def account(self, org_id, account_id):
        """``{email, name, members}`` of the account (accounts.get_account); NotFound
        propagates. Members are kept as ``[{id, first_name, last_name}]`` (a waiting-list
        offer names the household's members still waiting)."""
        return _accounts.get((org_id, account_id), lambda: _account_view(
            peers.call(self.accounts, "get_account", org_id, account_id)))

    def check_account(self, org_id, account_id):
        """Asked every time (preferences of an account that does not exist are refused
        in notifications' own words)."""
        try:
            peers.call(self.accounts, "get_account", org_id, account_id)
        except NotFound:
            raise NotificationAccountNotFound("no such account", {"account_id": account_id})

    def org(self, org_id):
        return _orgs.get(org_id, lambda: {
            k: v for k, v in peers.call(self.catalog, "get_org", org_id).items()
            if k in ("id", "name", "locale", "currency", "timezone")})

    def on_test_clock(self, org_id) -> bool:
        """Whether billing runs this org on a test clock (asked every time: a test sets
        and clears it at will). Where test clocks are off (production), no org is on one:
        no call (issue 14: one background RPC less per notice)."""
        if not config.test_clocks_enabled():
            return False
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
        return _attachment(invoice_id, answer)

    def invoice_and_receipt(self, org_id, invoice_id):
        """``(invoice, attachment or None)`` in one call (issue 14: the receipt e-mail
        asked billing twice, and billing read the invoice twice). A billing that does not
        take ``with_invoice`` yet (an upgrade under way) is asked the two old ways."""
        try:
            answer = peers.call(self.billing, "get_receipt_pdf", org_id, invoice_id, True)
        except (IncorrectSignature, MethodNotFound):
            return self.invoice(org_id, invoice_id), self.receipt_pdf(org_id, invoice_id)
        return answer["invoice"], _attachment(invoice_id, answer)


def _attachment(invoice_id, answer):
    return (answer.get("filename") or f"{invoice_id}.pdf",
            base64.b64decode(answer["content_base64"]), "application/pdf")
