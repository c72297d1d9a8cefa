"""Reading and writing accounts's tables within a unit of work, and turning rows into
the contract's JSON-ready dicts."""
from sqlalchemy import exists, func, or_, select, update

from services.common.pagination import page, paginate
from services.common.types import new_id

from ..domain import people
from .models import Account, ApiKey, AuditEntry, Member, PasswordResetToken, StaffMember


def _like_fragment(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def member_dict(member: Member) -> dict:
    return {"id": member.id, "account_id": member.account_id, "org_id": member.org_id,
            "first_name": member.first_name, "last_name": member.last_name,
            "birth_date": member.birth_date.isoformat(), "gender": member.gender,
            "skills": list(member.skills or [])}


def account_dict(account: Account, members) -> dict:
    return {"id": account.id, "org_id": account.org_id, "email": account.email,
            "name": account.name, "members": [member_dict(m) for m in members],
            "created_at": account.created_at.isoformat()}


def api_key_dict(key: ApiKey) -> dict:
    """Never the secret: the key's public prefix (``ck_<hex>``, how its holder recognises
    it) and its state."""
    return {"id": key.id, "name": key.name, "role": key.role,
            "prefix": f"ck_{key.id.split('_', 1)[1]}",
            "created_at": key.created_at.isoformat(),
            "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None}


def staff_dict(staff: StaffMember) -> dict:
    return {"id": staff.id, "name": staff.name}


def audit_dict(entry: AuditEntry) -> dict:
    return {"id": entry.id, "entity": entry.entity, "entity_id": entry.entity_id,
            "action": entry.action, "actor": entry.actor, "before": entry.before,
            "after": entry.after, "occurred_at": entry.occurred_at.isoformat()}


class ApiKeyRepository:
    def __init__(self, session):
        self.session = session

    def add(self, key: ApiKey):
        self.session.add(key)
        self.session.flush()

    def get(self, key_id):
        return self.session.get(ApiKey, key_id)

    def get_for_update(self, org_id, key_id):
        return self.session.execute(
            select(ApiKey).where(ApiKey.id == key_id, ApiKey.org_id == org_id)
            .with_for_update()).scalar_one_or_none()

    def active_admin_ids_for_update(self, org_id):
        """The org's unrevoked admin keys, locked until commit (in id order, so that two
        revocations lock in the same order and the second sees the first's)."""
        return list(self.session.execute(
            select(ApiKey.id).where(ApiKey.org_id == org_id, ApiKey.role == "admin",
                                    ApiKey.revoked_at.is_(None))
            .order_by(ApiKey.id).with_for_update()).scalars())

    def list(self, org_id, limit=None, cursor=None):
        query = (select(ApiKey).where(ApiKey.org_id == org_id)
                 .order_by(ApiKey.created_at, ApiKey.id))
        query, limit, offset = paginate(query, limit, cursor)
        return page(self.session.execute(query).scalars(), limit, offset)


class AccountRepository:
    def __init__(self, session):
        self.session = session

    def add(self, account: Account):
        self.session.add(account)
        self.session.flush()

    def add_member(self, member: Member):
        self.session.add(member)
        self.session.flush()

    def get(self, org_id, account_id):
        account = self.session.get(Account, account_id)
        if account is None or account.org_id != org_id:
            return None
        return account

    def get_for_update(self, org_id, account_id):
        """The account row, locked until commit (PostgreSQL; SQLite's write transaction
        already serialises writers)."""
        return self.session.execute(
            select(Account).where(Account.id == account_id, Account.org_id == org_id)
            .with_for_update()).scalar_one_or_none()

    def by_email(self, org_id, email):
        return self.session.execute(
            select(Account).where(Account.org_id == org_id, Account.email == email)
        ).scalar_one_or_none()

    def email_taken(self, org_id, email) -> bool:
        return self.session.execute(
            select(Account.id).where(Account.org_id == org_id, Account.email == email)
        ).first() is not None

    def members_of(self, account_ids):
        """``{account_id: [Member, …]}`` in the order they were added."""
        result = {account_id: [] for account_id in account_ids}
        if not account_ids:
            return result
        rows = self.session.execute(
            select(Member).where(Member.account_id.in_(list(account_ids)))
            .order_by(Member.account_id, Member.position)).scalars()
        for member in rows:
            result[member.account_id].append(member)
        return result

    def next_position(self, account_id) -> int:
        highest = self.session.execute(
            select(func.max(Member.position)).where(Member.account_id == account_id)).scalar()
        return 0 if highest is None else highest + 1

    def get_member(self, org_id, member_id):
        member = self.session.get(Member, member_id)
        if member is None or member.org_id != org_id:
            return None
        return member

    def get_members(self, org_id, member_ids):
        if not member_ids:
            return []
        return list(self.session.execute(
            select(Member).where(Member.org_id == org_id, Member.id.in_(list(member_ids)))
        ).scalars())

    def search(self, org_id, q, limit=None, cursor=None):
        """Accounts whose name, owner email or a member's name contains ``q`` (case- and
        accent-insensitive), ordered by name; returns (accounts, next_cursor)."""
        query = select(Account).where(Account.org_id == org_id)
        key = people.fold(q or "")
        if key:
            fragment = _like_fragment(key)
            email_fragment = _like_fragment((q or "").strip().lower())
            member_match = exists(select(Member.id).where(
                Member.account_id == Account.id, Member.org_id == org_id,
                Member.name_key.like(fragment, escape="\\")))
            query = query.where(or_(Account.name_key.like(fragment, escape="\\"),
                                    Account.email.like(email_fragment, escape="\\"),
                                    member_match))
        query = query.order_by(Account.name_key, Account.id)
        query, limit, offset = paginate(query, limit, cursor)
        return page(self.session.execute(query).scalars(), limit, offset)


class StaffRepository:
    def __init__(self, session):
        self.session = session

    def add(self, staff: StaffMember):
        self.session.add(staff)
        self.session.flush()

    def get(self, org_id, staff_id):
        staff = self.session.get(StaffMember, staff_id)
        if staff is None or staff.org_id != org_id:
            return None
        return staff

    def list(self, org_id, limit=None, cursor=None):
        query = (select(StaffMember).where(StaffMember.org_id == org_id)
                 .order_by(StaffMember.name, StaffMember.id))
        query, limit, offset = paginate(query, limit, cursor)
        return page(self.session.execute(query).scalars(), limit, offset)


class AuditRepository:
    """The audit log: one row per edit (who, when, before/after)."""

    def __init__(self, session):
        self.session = session

    def add(self, org_id, entity, entity_id, action, actor, before, after, now,
            source_event_id=None):
        self.session.add(AuditEntry(id=new_id("aud"), org_id=org_id, entity=entity,
                                    entity_id=entity_id, action=action, actor=actor,
                                    before=before, after=after, occurred_at=now,
                                    source_event_id=source_event_id))

    def list(self, org_id, entity=None, entity_id=None, limit=None, cursor=None):
        """Newest first; returns (entries, next_cursor)."""
        query = select(AuditEntry).where(AuditEntry.org_id == org_id)
        if entity:
            query = query.where(AuditEntry.entity == entity)
        if entity_id:
            query = query.where(AuditEntry.entity_id == entity_id)
        query = query.order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
        query, limit, offset = paginate(query, limit, cursor)
        return page(self.session.execute(query).scalars(), limit, offset)


class PasswordResetRepository:
    """One-time reset tokens, stored as their SHA-256 only."""

    def __init__(self, session):
        self.session = session

    def issued_since(self, account_id, since) -> bool:
        return self.session.execute(
            select(PasswordResetToken.id).where(PasswordResetToken.account_id == account_id,
                                                PasswordResetToken.created_at > since)
        ).first() is not None

    def add(self, org_id, account_id, token_hash, expires_at, now):
        self.session.add(PasswordResetToken(
            id=new_id("prt"), org_id=org_id, account_id=account_id, token_hash=token_hash,
            expires_at=expires_at, created_at=now))

    def by_hash_for_update(self, token_hash):
        return self.session.execute(
            select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash)
            .with_for_update()).scalar_one_or_none()

    def use_up(self, account_id, now):
        """Every unused token of the account is used from now on."""
        self.session.execute(
            update(PasswordResetToken).where(PasswordResetToken.account_id == account_id,
                                             PasswordResetToken.used_at.is_(None))
            .values(used_at=now).execution_options(synchronize_session=False))
