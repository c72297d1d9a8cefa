"""Accounts' entrypoints for issue 17, mixed into AccountsService: editing accounts,
members and staff (audited), the audit log admins read (with the catalog's edits, kept
from its ``catalog_edited`` events), and password reset by e-mail link.

Password reset: ``request_password_reset`` answers the same whether the e-mail exists or
not; for an account it stores a one-time token (its SHA-256 only, valid
``CARNET_PASSWORD_RESET_TTL_SECONDS``) and emits ``password_reset_requested`` with the link
(the notifications service sends it). A new request for the same account within
``CARNET_PASSWORD_RESET_MIN_INTERVAL`` seconds issues nothing (the same answer): at most
one e-mail per interval, whoever asks. ``confirm_password_reset`` sets the password and
uses up every token of the account.
"""
import hashlib
import secrets
from datetime import timedelta

from nameko.events import event_handler
from nameko.rpc import rpc
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services.common import config
from services.common.errors import InvalidInput
from services.common.pagination import page, paginate
from services.common.schemas import dump, load
from services.common.schemas import require_id as _id
from services.common.timeutil import parse_instant
from services.common.types import new_id

from .contract import schemas
from .adapters import passwords
from .adapters.audit_models import AuditEntry, PasswordResetToken
from .adapters.repositories import AccountRepository, StaffRepository, account_dict, \
    member_dict, staff_dict
from .domain import people
from .contract.errors import (AccountNotFound, EmailAlreadyRegistered, InvalidResetToken,
                         MemberNotFound, StaffNotFound)


def audit_dict(entry: AuditEntry) -> dict:
    return {"id": entry.id, "entity": entry.entity, "entity_id": entry.entity_id,
            "action": entry.action, "actor": entry.actor, "before": entry.before,
            "after": entry.after, "occurred_at": entry.occurred_at.isoformat()}


def _audit(session, org_id, entity, entity_id, action, actor, before, after, now,
           source_event_id=None):
    session.add(AuditEntry(id=new_id("aud"), org_id=org_id, entity=entity,
                           entity_id=entity_id, action=action, actor=actor, before=before,
                           after=after, occurred_at=now, source_event_id=source_event_id))


def _reset_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountPolicyEntrypoints:
    """Needs AccountsService's ``db`` and ``clock``."""

    # -- edits ---------------------------------------------------------------------------------
    @rpc
    def update_account(self, org_id, account_id, data, actor=None):
        """The household's name and owner e-mail (``email_already_registered``)."""
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        data = load(schemas.AccountPatch(), data)
        now = self.clock.now()
        try:
            with self.db.uow() as uow:
                repo = AccountRepository(uow.session)
                account = repo.get_for_update(org_id, account_id)
                if account is None:
                    raise AccountNotFound("no such account", {"account_id": account_id})
                members = repo.members_of([account.id])[account.id]
                before = account_dict(account, members)
                if "email" in data:
                    email = people.normalize_email(data["email"])
                    if email != account.email and repo.email_taken(org_id, email):
                        raise EmailAlreadyRegistered(
                            "an account with this email already exists", {"email": [email]})
                    account.email = email
                if "name" in data:
                    account.name, account.name_key = data["name"], people.fold(data["name"])
                uow.flush()
                after = account_dict(account, members)
                if after != before:
                    _audit(uow.session, org_id, "account", account_id, "updated", actor,
                           before, after, now)
                    uow.emit("account_updated", after, occurred_at=now)
                uow.commit()
        except IntegrityError:
            raise EmailAlreadyRegistered("an account with this email already exists",
                                         {"email": [data.get("email")]})
        return dump(schemas.AccountOut(), after)

    @rpc
    def update_member(self, org_id, member_id, data, actor=None):
        org_id, member_id = _id("org_id", org_id), _id("member_id", member_id)
        data = load(schemas.MemberPatch(), data)
        now = self.clock.now()
        if "birth_date" in data:
            problems = people.birth_date_problems(data["birth_date"], now)
            if problems:
                raise InvalidInput("the request is not valid", {"birth_date": problems})
        with self.db.uow() as uow:
            member = AccountRepository(uow.session).get_member(org_id, member_id)
            if member is None:
                raise MemberNotFound("no such member", {"member_id": member_id})
            before = member_dict(member)
            for field in ("first_name", "last_name", "birth_date", "gender"):
                if field in data:
                    setattr(member, field, data[field])
            if "skills" in data:
                member.skills = people.normalize_skills(data["skills"])
            member.name_key = people.member_search_key(member.first_name, member.last_name)
            uow.flush()
            after = member_dict(member)
            if after != before:
                _audit(uow.session, org_id, "member", member_id, "updated", actor, before,
                       after, now)
                uow.emit("member_updated", after, occurred_at=now)
            uow.commit()
        return dump(schemas.MemberOut(), after)

    @rpc
    def update_staff(self, org_id, staff_id, data, actor=None):
        org_id, staff_id = _id("org_id", org_id), _id("staff_id", staff_id)
        data = load(schemas.StaffPatch(), data)
        now = self.clock.now()
        with self.db.uow() as uow:
            staff = StaffRepository(uow.session).get(org_id, staff_id)
            if staff is None:
                raise StaffNotFound("no such staff member", {"staff_id": staff_id})
            before = staff_dict(staff)
            staff.name = data["name"]
            after = staff_dict(staff)
            if after != before:
                _audit(uow.session, org_id, "staff", staff_id, "updated", actor, before,
                       after, now)
                uow.emit("staff_updated", dict(after, org_id=org_id), occurred_at=now)
            uow.commit()
        return dump(schemas.StaffMemberOut(), after)

    # -- the audit log -------------------------------------------------------------------------
    @rpc
    def list_audit(self, org_id, query=None):
        """Edits, newest first; ``entity``/``entity_id`` narrow it."""
        org_id = _id("org_id", org_id)
        query = load(schemas.AuditQuery(), query or {})
        with self.db.uow(readonly=True) as uow:
            select_ = select(AuditEntry).where(AuditEntry.org_id == org_id)
            if query["entity"]:
                select_ = select_.where(AuditEntry.entity == query["entity"])
            if query["entity_id"]:
                select_ = select_.where(AuditEntry.entity_id == query["entity_id"])
            select_ = select_.order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
            paged, limit, offset = paginate(select_, query["limit"], query["cursor"])
            rows, next_cursor = page(uow.session.execute(paged).scalars(), limit, offset)
            items = [audit_dict(r) for r in rows]
        return dump(schemas.AuditPage(), {"items": items, "next_cursor": next_cursor})

    @event_handler("catalog", "catalog_edited", requeue_on_error=True)
    def on_catalog_edited(self, payload):
        data = (payload or {}).get("data") or {}
        if not data.get("org_id") or not data.get("entity_id"):
            return
        when = parse_instant(data.get("edited_at")) or self.clock.now()
        with self.db.uow() as uow:
            if not uow.claim_event(payload):
                return
            _audit(uow.session, data["org_id"], data.get("entity") or "catalog",
                   data["entity_id"], "updated", data.get("actor"), data.get("before"),
                   data.get("after"), when, source_event_id=payload.get("event_id"))
            uow.commit()

    # -- password reset ------------------------------------------------------------------------
    @rpc
    def request_password_reset(self, org_id, email):
        data = load(schemas.PasswordResetRequest(), {"org_id": org_id, "email": email})
        org_id, email = data["org_id"], people.normalize_email(data["email"])
        now = self.clock.now()
        ttl = int(config.env("CARNET_PASSWORD_RESET_TTL_SECONDS", "3600"))
        interval = int(config.env("CARNET_PASSWORD_RESET_MIN_INTERVAL", "60"))
        token = secrets.token_urlsafe(32)
        with self.db.uow() as uow:
            account = AccountRepository(uow.session).by_email(org_id, email)
            recent = account is not None and uow.session.execute(
                select(PasswordResetToken.id).where(
                    PasswordResetToken.account_id == account.id,
                    PasswordResetToken.created_at > now - timedelta(seconds=interval))
            ).first() is not None
            if account is not None and not recent:
                uow.session.add(PasswordResetToken(
                    id=new_id("prt"), org_id=org_id, account_id=account.id,
                    token_hash=_reset_hash(token), expires_at=now + timedelta(seconds=ttl),
                    created_at=now))
                base = config.env("CARNET_PUBLIC_URL", "http://localhost:8000").rstrip("/")
                uow.emit("password_reset_requested", {
                    "org_id": org_id, "account_id": account.id, "email": account.email,
                    "reset_url": f"{base}/shop/{org_id}/password-reset?token={token}",
                    "expires_at": (now + timedelta(seconds=ttl)).isoformat()},
                    occurred_at=now)
                uow.commit()
        return {"status": "accepted"}

    @rpc
    def confirm_password_reset(self, token, password):
        data = load(schemas.PasswordResetConfirm(), {"token": token, "password": password})
        password_hash = passwords.hash_password(data["password"])  # before the transaction
        now = self.clock.now()
        refused = InvalidResetToken("this reset link is not valid or has expired; ask for "
                                    "a new one", {"token": ["not valid"]})
        with self.db.uow() as uow:
            row = uow.session.execute(
                select(PasswordResetToken).where(
                    PasswordResetToken.token_hash == _reset_hash(data["token"]))
                .with_for_update()).scalar_one_or_none()
            if row is None or row.used_at is not None or row.expires_at <= now:
                raise refused
            account = AccountRepository(uow.session).get_for_update(row.org_id,
                                                                    row.account_id)
            if account is None:
                raise refused
            account.password_hash = password_hash
            # a reset ends every session, like a password change (docs/security.md)
            account.credential_version = (account.credential_version or 0) + 1
            uow.session.execute(
                update(PasswordResetToken).where(
                    PasswordResetToken.account_id == row.account_id,
                    PasswordResetToken.used_at.is_(None)).values(used_at=now)
                .execution_options(synchronize_session=False))
            _audit(uow.session, row.org_id, "account", row.account_id, "password_reset",
                   f"customer:{row.account_id}", None, None, now)
            uow.emit("password_reset_completed", {"org_id": row.org_id,
                                                  "account_id": row.account_id},
                     occurred_at=now)
            uow.commit()
        return {"status": "done"}
