"""Accounts service entrypoints: API keys and tokens, customer accounts and their
members (R1.2), staff members of the agenda (R5.1). Contract: docs/contracts.md."""
from pathlib import Path

from nameko.rpc import rpc
from sqlalchemy.exc import IntegrityError

from services.common import config
from services.common.service import Clock
from services.common.errors import InvalidInput
from services.common.schemas import dump, load
from services.common.schemas import require_id as _id
from services.common.service import ServiceBase
from services.common.types import new_id
from services.common.uow import Database

from .contract import schemas
from .policies import AccountPolicyEntrypoints
from .adapters import passwords
from .adapters.models import Account, ApiKey, Member, StaffMember, metadata
from .adapters.repositories import (AccountRepository, ApiKeyRepository, StaffRepository,
                                    account_dict, api_key_dict, member_dict, staff_dict)
from .contract import tokens
from .domain import api_keys, people
from .contract.errors import (AccountNotFound, ApiKeyNotFound, EmailAlreadyRegistered,
                         InvalidApiKey, InvalidCredentials, LastAdminKey, MemberNotFound,
                         StaffNotFound, WrongCurrentPassword)

BAD_CREDENTIALS = "the email or password is not correct"


def _check_birth_dates(members, now, prefix=None):
    problems = {}
    for index, member in enumerate(members):
        found = people.birth_date_problems(member["birth_date"], now)
        if found:
            problems[index] = {"birth_date": found}
    if problems:
        details = {prefix: problems} if prefix else problems[0]
        raise InvalidInput("the request is not valid", details)


def _new_member(org_id, account_id, position, data, now):
    return Member(id=new_id("mem"), org_id=org_id, account_id=account_id, position=position,
                  first_name=data["first_name"], last_name=data["last_name"],
                  name_key=people.member_search_key(data["first_name"], data["last_name"]),
                  birth_date=data["birth_date"], gender=data["gender"],
                  skills=people.normalize_skills(data["skills"]), created_at=now)


config.jwt_secret()  # refuse to start without a usable token secret (docs/security.md)


class AccountsService(AccountPolicyEntrypoints, ServiceBase):
    name = "accounts"
    db = Database("accounts", metadata, Path(__file__).parent / "migrations")
    clock = Clock()

    # -- API keys and tokens -----------------------------------------------------------------
    @rpc
    def create_api_key(self, org_id, data):
        org_id = _id("org_id", org_id)
        data = load(schemas.ApiKeyCreate(), data)
        new = api_keys.generate()
        now = self.clock.now()
        with self.db.uow() as uow:
            ApiKeyRepository(uow.session).add(ApiKey(
                id=new.id, org_id=org_id, name=data["name"], role=data["role"],
                secret_hash=new.secret_hash, created_at=now))
            uow.commit()
        return dump(schemas.ApiKeyCreated(), {
            "id": new.id, "name": data["name"], "role": data["role"], "api_key": new.api_key,
            "created_at": now.isoformat()})

    @rpc
    def token_for_api_key(self, api_key):
        parsed = api_keys.parse(api_key)
        if parsed is None:
            raise InvalidApiKey("the API key is not valid")
        key_id, secret = parsed
        with self.db.uow(readonly=True) as uow:
            key = ApiKeyRepository(uow.session).get(key_id)
            found = (key.secret_hash, key.org_id, key.role) \
                if key is not None and key.revoked_at is None else None
        # Unknown, revoked, wrong secret: one answer.
        if found is None or not api_keys.verify(secret, found[0]):
            raise InvalidApiKey("the API key is not valid")
        _, key_org, role = found
        return tokens.issue(config.jwt_secret(), subject=key_id, org_id=key_org, role=role,
                            now=self.clock.now(), ttl_seconds=config.token_ttl_seconds(),
                            credential_version=0)

    @rpc
    def list_api_keys(self, org_id, limit=None, cursor=None):
        """The org's keys, oldest first, revoked ones included; never a secret."""
        org_id = _id("org_id", org_id)
        query = load(schemas.PageQuery(), {"limit": limit, "cursor": cursor})
        with self.db.uow(readonly=True) as uow:
            keys, next_cursor = ApiKeyRepository(uow.session).list(org_id, query["limit"],
                                                                   query["cursor"])
            items = [api_key_dict(k) for k in keys]
        return dump(schemas.ApiKeyPage(), {"items": items, "next_cursor": next_cursor})

    @rpc
    def revoke_api_key(self, org_id, key_id):
        """Revoke a key (idempotent: a revoked key stays revoked, its first date kept). Its
        tokens are refused by the gateway within its credential cache's TTL. The org's last
        unrevoked admin key is kept (``last_admin_key``)."""
        org_id, key_id = _id("org_id", org_id), _id("key_id", key_id)
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = ApiKeyRepository(uow.session)
            # Admin keys first, in id order, then the key: two revocations at once lock in
            # the same order, and the second counts what the first left.
            admins = repo.active_admin_ids_for_update(org_id)
            key = repo.get_for_update(org_id, key_id)
            if key is None:
                raise ApiKeyNotFound("no such API key", {"key_id": key_id})
            if key.revoked_at is None:
                if key.role == "admin" and admins == [key.id]:
                    raise LastAdminKey(
                        "this is the organisation's last admin key; create another admin "
                        "key before revoking it", {"key_id": key_id})
                key.revoked_at = now
                uow.emit("api_key_revoked", {"org_id": org_id, "key_id": key_id,
                                             "role": key.role,
                                             "revoked_at": now.isoformat()}, occurred_at=now)
            result = api_key_dict(key)
            uow.commit()
        return dump(schemas.ApiKeyOut(), result)

    @rpc
    def credential_state(self, org_id, subject):
        """``{version}``: the ``cv`` a token of ``subject`` (an API key or an account of
        ``org_id``) must carry to be accepted; ``None`` when the key is revoked or the
        subject unknown. Asked by the gateway, which caches the answer a few seconds."""
        org_id, subject = _id("org_id", org_id), _id("subject", subject)
        version = None
        with self.db.uow(readonly=True) as uow:
            if subject.startswith(api_keys.ID_PREFIX + "_"):
                key = ApiKeyRepository(uow.session).get(subject)
                if key is not None and key.org_id == org_id and key.revoked_at is None:
                    version = 0
            else:
                account = AccountRepository(uow.session).get(org_id, subject)
                if account is not None:
                    version = account.credential_version
        return dump(schemas.CredentialState(), {"version": version})

    @rpc
    def login(self, org_id, email, password):
        data = load(schemas.LoginRequest(),
                    {"org_id": org_id, "email": email, "password": password})
        with self.db.uow(readonly=True) as uow:
            account = AccountRepository(uow.session).by_email(
                data["org_id"], people.normalize_email(data["email"]))
            account_id = account.id if account else None
            stored_hash = account.password_hash if account else None
            version = account.credential_version if account else 0
        # Unknown email, account without a password, wrong password: one answer.
        if not passwords.verify_password(stored_hash, data["password"]):
            raise InvalidCredentials(BAD_CREDENTIALS)
        return tokens.issue(config.jwt_secret(), subject=account_id, org_id=data["org_id"],
                            role="customer", account_id=account_id, now=self.clock.now(),
                            ttl_seconds=config.token_ttl_seconds(),
                            credential_version=version)

    @rpc
    def change_password(self, org_id, account_id, data, require_current=True):
        """Set the account's password. The account's own customer proves the current one
        (``require_current``); staff set one without it. Every token issued before is then
        refused (the credential version grows)."""
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        data = load(schemas.PasswordChange(), data)
        if require_current and not data["current_password"]:
            raise InvalidInput("the request is not valid",
                               {"current_password": ["is required to change your password"]})
        with self.db.uow(readonly=True) as uow:
            account = AccountRepository(uow.session).get(org_id, account_id)
            if account is None:
                raise AccountNotFound("no such account", {"account_id": account_id})
            stored_hash = account.password_hash
        if require_current and not passwords.verify_password(stored_hash,
                                                             data["current_password"]):
            raise WrongCurrentPassword("the request is not valid",
                                       {"current_password": ["is not correct"]})
        new_hash = passwords.hash_password(data["new_password"])  # outside the transaction
        now = self.clock.now()
        with self.db.uow() as uow:
            account = AccountRepository(uow.session).get_for_update(org_id, account_id)
            if require_current and account.password_hash != stored_hash:
                # changed by someone else since it was checked: check again
                raise WrongCurrentPassword("the request is not valid",
                                           {"current_password": ["is not correct"]})
            account.password_hash = new_hash
            account.credential_version = (account.credential_version or 0) + 1
            uow.emit("account_password_changed", {
                "org_id": org_id, "account_id": account_id,
                "credential_version": account.credential_version}, occurred_at=now)
            uow.commit()
        return None

    # -- accounts and members ----------------------------------------------------------------
    @rpc
    def create_account(self, org_id, data):
        org_id = _id("org_id", org_id)
        data = load(schemas.AccountCreate(), data)
        now = self.clock.now()
        _check_birth_dates(data["members"], now, prefix="members")
        email = people.normalize_email(data["email"])
        # Hash before the transaction: the write lock is not held while argon2 works.
        password_hash = passwords.hash_password(data["password"]) if data["password"] else None
        account = Account(id=new_id("acc"), org_id=org_id, email=email, name=data["name"],
                          name_key=people.fold(data["name"]), password_hash=password_hash,
                          created_at=now)
        try:
            with self.db.uow() as uow:
                repo = AccountRepository(uow.session)
                if repo.email_taken(org_id, email):
                    raise EmailAlreadyRegistered(
                        "an account with this email already exists", {"email": [email]})
                repo.add(account)
                members = []
                for position, member_data in enumerate(data["members"]):
                    member = _new_member(org_id, account.id, position, member_data, now)
                    repo.add_member(member)
                    members.append(member)
                result = account_dict(account, members)
                uow.emit("account_created", result, occurred_at=now)
                uow.commit()
        except IntegrityError:  # another request registered the same email meanwhile
            raise EmailAlreadyRegistered("an account with this email already exists",
                                         {"email": [email]})
        return dump(schemas.AccountOut(), result)

    @rpc
    def get_account(self, org_id, account_id):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        with self.db.uow(readonly=True) as uow:
            repo = AccountRepository(uow.session)
            account = repo.get(org_id, account_id)
            if account is None:
                raise AccountNotFound("no such account", {"account_id": account_id})
            result = account_dict(account, repo.members_of([account.id])[account.id])
        return dump(schemas.AccountOut(), result)

    @rpc
    def add_member(self, org_id, account_id, data):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        data = load(schemas.MemberCreate(), data)
        now = self.clock.now()
        _check_birth_dates([data], now)
        with self.db.uow() as uow:
            repo = AccountRepository(uow.session)
            if repo.get_for_update(org_id, account_id) is None:
                raise AccountNotFound("no such account", {"account_id": account_id})
            member = _new_member(org_id, account_id, repo.next_position(account_id), data, now)
            repo.add_member(member)
            result = member_dict(member)
            uow.emit("member_added", result, occurred_at=now)
            uow.commit()
        return dump(schemas.MemberOut(), result)

    @rpc
    def get_member(self, org_id, member_id):
        org_id, member_id = _id("org_id", org_id), _id("member_id", member_id)
        with self.db.uow(readonly=True) as uow:
            member = AccountRepository(uow.session).get_member(org_id, member_id)
            if member is None:
                raise MemberNotFound("no such member", {"member_id": member_id})
            result = member_dict(member)
        return dump(schemas.MemberOut(), result)

    @rpc
    def get_members(self, org_id, member_ids):
        """``{items}`` in the order asked; unknown ids (or another org's) are omitted."""
        org_id = _id("org_id", org_id)
        if not isinstance(member_ids, (list, tuple)) or len(member_ids) > 1000:
            raise InvalidInput("the request is not valid",
                               {"member_ids": ["must be a list of at most 1000 ids"]})
        wanted = [_id("member_ids", m) for m in member_ids]
        with self.db.uow(readonly=True) as uow:
            found = {m.id: member_dict(m) for m in
                     AccountRepository(uow.session).get_members(org_id, set(wanted))}
        seen, items = set(), []
        for member_id in wanted:
            if member_id in found and member_id not in seen:
                seen.add(member_id)
                items.append(found[member_id])
        return dump(schemas.MemberList(), {"items": items})

    @rpc
    def search_accounts(self, org_id, q, limit=None, cursor=None):
        org_id = _id("org_id", org_id)
        query = load(schemas.AccountSearch(), {"q": q or "", "limit": limit, "cursor": cursor})
        with self.db.uow(readonly=True) as uow:
            repo = AccountRepository(uow.session)
            accounts, next_cursor = repo.search(org_id, query["q"], query["limit"],
                                                query["cursor"])
            members = repo.members_of([a.id for a in accounts])
            items = [account_dict(a, members[a.id]) for a in accounts]
        return dump(schemas.AccountPage(), {"items": items, "next_cursor": next_cursor})

    # -- staff members ------------------------------------------------------------------------
    @rpc
    def create_staff(self, org_id, data):
        org_id = _id("org_id", org_id)
        data = load(schemas.StaffCreate(), data)
        now = self.clock.now()
        staff = StaffMember(id=new_id("stf"), org_id=org_id, name=data["name"], created_at=now)
        with self.db.uow() as uow:
            StaffRepository(uow.session).add(staff)
            result = staff_dict(staff)
            uow.emit("staff_created", dict(result, org_id=org_id), occurred_at=now)
            uow.commit()
        return dump(schemas.StaffMemberOut(), result)

    @rpc
    def list_staff(self, org_id, limit=None, cursor=None):
        org_id = _id("org_id", org_id)
        query = load(schemas.PageQuery(), {"limit": limit, "cursor": cursor})
        with self.db.uow(readonly=True) as uow:
            staff, next_cursor = StaffRepository(uow.session).list(org_id, query["limit"],
                                                                   query["cursor"])
            items = [staff_dict(s) for s in staff]
        return dump(schemas.StaffList(), {"items": items, "next_cursor": next_cursor})

    @rpc
    def get_staff(self, org_id, staff_id):
        org_id, staff_id = _id("org_id", org_id), _id("staff_id", staff_id)
        with self.db.uow(readonly=True) as uow:
            staff = StaffRepository(uow.session).get(org_id, staff_id)
            if staff is None:
                raise StaffNotFound("no such staff member", {"staff_id": staff_id})
            result = staff_dict(staff)
        return dump(schemas.StaffMemberOut(), result)
