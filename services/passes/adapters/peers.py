"""What passes asks catalog and accounts, by RPC: never inside a database transaction (on
SQLite a green thread that yields while holding the write lock would stall the others), and
with a time limit (``services.common.peers``: ``service_unavailable`` past
``CARNET_RPC_TIMEOUT``). A peer's refusal that passes on is raised in passes' own words
(``refusals_in_own_words``); an unknown object named in a request body is invalid input,
not a 404."""
from nameko.exceptions import MethodNotFound

# Registered so that their errors arrive here as themselves (then said in passes' words).
from services.accounts.contract import errors as _accounts_errors  # noqa: F401
from services.catalog.contract import errors as _catalog_errors  # noqa: F401
from services.common.cache import PeerCache
from services.common.errors import NotFound
from services.common.peers import call, refusals_in_own_words, start, wait_for

from ..contract import errors
from ..contract.errors import InvalidPassesInput

# An org's timezone never changes (the catalog has no update_org): learnt once per process.
_TIMEZONES = PeerCache(seconds=None)


def _invalid(field, message):
    return InvalidPassesInput("the request is not valid", {field: message})


class Peers:
    """The calls of one request, on the worker's RPC proxies."""

    def __init__(self, catalog, accounts):
        self.catalog, self.accounts = catalog, accounts

    def _call(self, proxy, method, *args):
        with refusals_in_own_words(errors):
            return call(proxy, method, *args)

    def timezone(self, org_id):
        return _TIMEZONES.get(org_id, lambda: self._call(
            self.catalog, "get_org", org_id)["timezone"])

    def pass_type_terms(self, org_id, pass_type_id):
        """The pass type with its current terms and ``terms_version`` (R2.9). Falls back to
        ``get_pass_type`` (which also carries ``terms_version``) if the catalog in front of
        us is older than ``get_pass_type_terms``."""
        try:
            try:
                return self._call(self.catalog, "get_pass_type_terms", org_id, pass_type_id)
            except MethodNotFound:
                return self._call(self.catalog, "get_pass_type", org_id, pass_type_id)
        except NotFound:
            raise _invalid("pass_type_id",
                           [f"no pass type {pass_type_id} in this organisation"])

    def membership_type(self, org_id, membership_type_id):
        return self._named("membership_type_id", "membership type", "get_membership_type",
                           org_id, membership_type_id)

    def bundle_type(self, org_id, bundle_type_id):
        return self._named("bundle_type_id", "bundle type", "get_bundle_type", org_id,
                           bundle_type_id)

    def _named(self, field, what, method, org_id, object_id):
        try:
            return self._call(self.catalog, method, org_id, object_id)
        except NotFound:
            raise _invalid(field, [f"no {what} {object_id} in this organisation"])

    def check_member_of(self, org_id, account_id, member_id):
        """The member exists and belongs to the account the sale is for."""
        try:
            member = self._call(self.accounts, "get_member", org_id, member_id)
        except NotFound:
            raise _invalid("member_id", ["no such member in this organisation"])
        if member.get("account_id") != account_id:
            raise _invalid("member_id", ["not a member of this account"])

    def member_account(self, org_id, member_id):
        return self._call(self.accounts, "get_member", org_id, member_id)["account_id"]

    def check_accounts(self, org_id, account_ids):
        """Every account exists (asked in parallel); the unknown ones named by position."""
        replies = [(i, start(self.accounts, "get_account", org_id, a))
                   for i, a in enumerate(account_ids)]
        unknown = {}
        for index, reply in replies:
            try:
                with refusals_in_own_words(errors):
                    wait_for(reply, "accounts.get_account")
            except NotFound:
                unknown[index] = ["no such account in this organisation"]
        if unknown:
            raise _invalid("account_ids", unknown)
