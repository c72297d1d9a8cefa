"""Customer accounts (households) and their members (R1.2), with the audit of their edits.

Every member written (created with its account, added, edited) is published as
``member_created``/``member_updated`` with the whole member, in the same transaction, so a
service can keep its own copy of what it needs (contract/events.py)."""
from sqlalchemy.exc import IntegrityError

from services.common.errors import InvalidInput
from services.common.types import new_id

from ..adapters import passwords
from ..adapters.models import Account, Member
from ..adapters.repositories import (AccountRepository, AuditRepository, account_dict,
                                     member_dict)
from ..contract import events
from ..contract.errors import AccountNotFound, EmailAlreadyRegistered, MemberNotFound
from ..domain import people

MAX_MEMBER_IDS = 1000


def _email_taken(email):
    return EmailAlreadyRegistered("an account with this email already exists",
                                  {"email": [email]})


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


# -- accounts ---------------------------------------------------------------------------------
def create_account(ctx, org_id, data) -> dict:
    now = ctx.clock.now()
    _check_birth_dates(data["members"], now, prefix="members")
    email = people.normalize_email(data["email"])
    # Hash before the transaction: the write lock is not held while argon2 works.
    password_hash = passwords.hash_password(data["password"]) if data["password"] else None
    account = Account(id=new_id("acc"), org_id=org_id, email=email, name=data["name"],
                      name_key=people.fold(data["name"]), password_hash=password_hash,
                      created_at=now)
    try:
        with ctx.db.uow() as uow:
            repo = AccountRepository(uow.session)
            if repo.email_taken(org_id, email):
                raise _email_taken(email)
            repo.add(account)
            members = []
            for position, member_data in enumerate(data["members"]):
                member = _new_member(org_id, account.id, position, member_data, now)
                repo.add_member(member)
                members.append(member)
            result = account_dict(account, members)
            uow.emit(events.ACCOUNT_CREATED, result, occurred_at=now)
            for member in result["members"]:
                uow.emit(events.MEMBER_CREATED, member, occurred_at=now)
            uow.commit()
    except IntegrityError:  # another request registered the same email meanwhile
        raise _email_taken(email)
    return result


def get_account(ctx, org_id, account_id) -> dict:
    with ctx.db.uow(readonly=True) as uow:
        repo = AccountRepository(uow.session)
        account = repo.get(org_id, account_id)
        if account is None:
            raise AccountNotFound("no such account", {"account_id": account_id})
        return account_dict(account, repo.members_of([account.id])[account.id])


def search_accounts(ctx, org_id, q, limit, cursor) -> dict:
    with ctx.db.uow(readonly=True) as uow:
        repo = AccountRepository(uow.session)
        accounts, next_cursor = repo.search(org_id, q, limit, cursor)
        members = repo.members_of([a.id for a in accounts])
        return {"items": [account_dict(a, members[a.id]) for a in accounts],
                "next_cursor": next_cursor}


def update_account(ctx, org_id, account_id, data, actor=None) -> dict:
    """The household's name and owner e-mail (``email_already_registered``)."""
    now = ctx.clock.now()
    try:
        with ctx.db.uow() as uow:
            repo = AccountRepository(uow.session)
            account = repo.get_for_update(org_id, account_id)
            if account is None:
                raise AccountNotFound("no such account", {"account_id": account_id})
            members = repo.members_of([account.id])[account.id]
            before = account_dict(account, members)
            if "email" in data:
                email = people.normalize_email(data["email"])
                if email != account.email and repo.email_taken(org_id, email):
                    raise _email_taken(email)
                account.email = email
            if "name" in data:
                account.name, account.name_key = data["name"], people.fold(data["name"])
            uow.flush()
            after = account_dict(account, members)
            if after != before:
                AuditRepository(uow.session).add(org_id, "account", account_id, "updated",
                                                 actor, before, after, now)
                uow.emit(events.ACCOUNT_UPDATED, after, occurred_at=now)
            uow.commit()
    except IntegrityError:
        raise _email_taken(data.get("email"))
    return after


# -- members ----------------------------------------------------------------------------------
def add_member(ctx, org_id, account_id, data) -> dict:
    now = ctx.clock.now()
    _check_birth_dates([data], now)
    with ctx.db.uow() as uow:
        repo = AccountRepository(uow.session)
        if repo.get_for_update(org_id, account_id) is None:
            raise AccountNotFound("no such account", {"account_id": account_id})
        member = _new_member(org_id, account_id, repo.next_position(account_id), data, now)
        repo.add_member(member)
        result = member_dict(member)
        uow.emit(events.MEMBER_ADDED, result, occurred_at=now)
        uow.emit(events.MEMBER_CREATED, result, occurred_at=now)
        uow.commit()
    return result


def get_member(ctx, org_id, member_id) -> dict:
    with ctx.db.uow(readonly=True) as uow:
        member = AccountRepository(uow.session).get_member(org_id, member_id)
        if member is None:
            raise MemberNotFound("no such member", {"member_id": member_id})
        return member_dict(member)


def get_members(ctx, org_id, member_ids) -> dict:
    """``{items}`` in the order asked, each once; unknown ids (or another org's) are
    omitted."""
    with ctx.db.uow(readonly=True) as uow:
        found = {m.id: member_dict(m) for m in
                 AccountRepository(uow.session).get_members(org_id, set(member_ids))}
    return {"items": [found.pop(m) for m in member_ids if m in found]}


def update_member(ctx, org_id, member_id, data, actor=None) -> dict:
    now = ctx.clock.now()
    if "birth_date" in data:
        problems = people.birth_date_problems(data["birth_date"], now)
        if problems:
            raise InvalidInput("the request is not valid", {"birth_date": problems})
    with ctx.db.uow() as uow:
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
            AuditRepository(uow.session).add(org_id, "member", member_id, "updated", actor,
                                             before, after, now)
            uow.emit(events.MEMBER_UPDATED, after, occurred_at=now)
        uow.commit()
    return after
