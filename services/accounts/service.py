"""Accounts service entrypoints: API keys and tokens, customer accounts and their
members (R1.2), staff members of the agenda (R5.1), edits and their audit log, password
reset (issue 17). Contract: ``contract/`` and docs/contracts.md.

Each entrypoint loads its input with the contract's schema, calls one use case
(``usecases/``) and dumps the answer."""
from pathlib import Path

from nameko.events import event_handler
from nameko.rpc import rpc

from services.common import config
from services.common.errors import InvalidInput
from services.common.schemas import dump, load
from services.common.schemas import require_id as _id
from services.common.service import Clock, ServiceBase
from services.common.uow import Database
from services.catalog.contract import events as catalog_events

from .adapters.models import metadata
from .contract import events, schemas
from .usecases import api_keys, audit, households, passwords, staff
from .usecases.context import Context

config.jwt_secret()  # refuse to start without a usable token secret (docs/security.md)


def _page(limit, cursor):
    return load(schemas.PageQuery, {"limit": limit, "cursor": cursor})


class AccountsService(ServiceBase):
    name = "accounts"
    db = Database("accounts", metadata, Path(__file__).parent / "migrations",
                  events=events)
    clock = Clock()

    @property
    def ctx(self):
        return Context(db=self.db, clock=self.clock)

    # -- API keys and tokens -----------------------------------------------------------------
    @rpc
    def create_api_key(self, org_id, data):
        created = api_keys.create_api_key(self.ctx, _id("org_id", org_id),
                                          load(schemas.ApiKeyCreate, data))
        return dump(schemas.ApiKeyCreated, created)

    @rpc
    def token_for_api_key(self, api_key):
        return api_keys.token_for_api_key(self.ctx, api_key)

    @rpc
    def list_api_keys(self, org_id, limit=None, cursor=None):
        org_id, query = _id("org_id", org_id), _page(limit, cursor)
        found = api_keys.list_api_keys(self.ctx, org_id, query["limit"], query["cursor"])
        return dump(schemas.ApiKeyPage, found)

    @rpc
    def revoke_api_key(self, org_id, key_id):
        revoked = api_keys.revoke_api_key(self.ctx, _id("org_id", org_id),
                                          _id("key_id", key_id))
        return dump(schemas.ApiKeyOut, revoked)

    @rpc
    def credential_state(self, org_id, subject):
        state = api_keys.credential_state(self.ctx, _id("org_id", org_id),
                                          _id("subject", subject))
        return dump(schemas.CredentialState, state)

    # -- passwords ------------------------------------------------------------------------------
    @rpc
    def login(self, org_id, email, password):
        data = load(schemas.LoginRequest,
                    {"org_id": org_id, "email": email, "password": password})
        return passwords.login(self.ctx, data["org_id"], data["email"], data["password"])

    @rpc
    def change_password(self, org_id, account_id, data, require_current=True):
        passwords.change_password(self.ctx, _id("org_id", org_id),
                                  _id("account_id", account_id),
                                  load(schemas.PasswordChange, data), require_current)
        return None

    @rpc
    def request_password_reset(self, org_id, email):
        data = load(schemas.PasswordResetRequest, {"org_id": org_id, "email": email})
        return passwords.request_password_reset(self.ctx, data["org_id"], data["email"])

    @rpc
    def confirm_password_reset(self, token, password):
        data = load(schemas.PasswordResetConfirm, {"token": token, "password": password})
        return passwords.confirm_password_reset(self.ctx, data["token"], data["password"])

    # -- accounts and members ----------------------------------------------------------------
    @rpc
    def create_account(self, org_id, data):
        created = households.create_account(self.ctx, _id("org_id", org_id),
                                            load(schemas.AccountCreate, data))
        return dump(schemas.AccountOut, created)

    @rpc
    def get_account(self, org_id, account_id):
        found = households.get_account(self.ctx, _id("org_id", org_id),
                                       _id("account_id", account_id))
        return dump(schemas.AccountOut, found)

    @rpc
    def search_accounts(self, org_id, q, limit=None, cursor=None):
        org_id = _id("org_id", org_id)
        query = load(schemas.AccountSearch, {"q": q or "", "limit": limit, "cursor": cursor})
        found = households.search_accounts(self.ctx, org_id, query["q"], query["limit"],
                                           query["cursor"])
        return dump(schemas.AccountPage, found)

    @rpc
    def update_account(self, org_id, account_id, data, actor=None):
        updated = households.update_account(self.ctx, _id("org_id", org_id),
                                            _id("account_id", account_id),
                                            load(schemas.AccountPatch, data), actor)
        return dump(schemas.AccountOut, updated)

    @rpc
    def add_member(self, org_id, account_id, data):
        added = households.add_member(self.ctx, _id("org_id", org_id),
                                      _id("account_id", account_id),
                                      load(schemas.MemberCreate, data))
        return dump(schemas.MemberOut, added)

    @rpc
    def get_member(self, org_id, member_id):
        found = households.get_member(self.ctx, _id("org_id", org_id),
                                      _id("member_id", member_id))
        return dump(schemas.MemberOut, found)

    @rpc
    def get_members(self, org_id, member_ids):
        """``{items}`` in the order asked; unknown ids (or another org's) are omitted."""
        org_id = _id("org_id", org_id)
        if not isinstance(member_ids, (list, tuple)) or \
                len(member_ids) > households.MAX_MEMBER_IDS:
            raise InvalidInput("the request is not valid", {"member_ids": [
                f"must be a list of at most {households.MAX_MEMBER_IDS} ids"]})
        found = households.get_members(self.ctx, org_id,
                                       [_id("member_ids", m) for m in member_ids])
        return dump(schemas.MemberList, found)

    @rpc
    def update_member(self, org_id, member_id, data, actor=None):
        updated = households.update_member(self.ctx, _id("org_id", org_id),
                                           _id("member_id", member_id),
                                           load(schemas.MemberPatch, data), actor)
        return dump(schemas.MemberOut, updated)

    # -- staff members ------------------------------------------------------------------------
    @rpc
    def create_staff(self, org_id, data):
        created = staff.create_staff(self.ctx, _id("org_id", org_id),
                                     load(schemas.StaffCreate, data))
        return dump(schemas.StaffMemberOut, created)

    @rpc
    def list_staff(self, org_id, limit=None, cursor=None):
        org_id, query = _id("org_id", org_id), _page(limit, cursor)
        found = staff.list_staff(self.ctx, org_id, query["limit"], query["cursor"])
        return dump(schemas.StaffList, found)

    @rpc
    def get_staff(self, org_id, staff_id):
        found = staff.get_staff(self.ctx, _id("org_id", org_id), _id("staff_id", staff_id))
        return dump(schemas.StaffMemberOut, found)

    @rpc
    def update_staff(self, org_id, staff_id, data, actor=None):
        updated = staff.update_staff(self.ctx, _id("org_id", org_id),
                                     _id("staff_id", staff_id),
                                     load(schemas.StaffPatch, data), actor)
        return dump(schemas.StaffMemberOut, updated)

    # -- the audit log -------------------------------------------------------------------------
    @rpc
    def list_audit(self, org_id, query=None):
        found = audit.list_audit(self.ctx, _id("org_id", org_id),
                                 load(schemas.AuditQuery, query or {}))
        return dump(schemas.AuditPage, found)

    @event_handler("catalog", catalog_events.CATALOG_EDITED, requeue_on_error=True)
    def on_catalog_edited(self, payload):
        audit.record_catalog_edit(self.ctx, payload)
