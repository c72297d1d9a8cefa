"""A client's notification preferences (R7.4) and the org's sent log."""
from ..adapters.repositories import Notices, Preferences, notice_dict
from ..domain import notices as rules


def _with_account(found, account_id):
    return dict(found, account_id=account_id, transactional=list(rules.TRANSACTIONAL))


def get_preferences(ctx, org_id, account_id) -> dict:
    ctx.peers.check_account(org_id, account_id)
    with ctx.db.uow(readonly=True) as uow:
        found = Preferences(uow.session).get(org_id, account_id)
    return _with_account(found, account_id)


def set_preferences(ctx, org_id, account_id, changes) -> dict:
    ctx.peers.check_account(org_id, account_id)
    with ctx.db.uow() as uow:
        found = Preferences(uow.session).set(org_id, account_id, changes, ctx.clock.now())
        uow.commit()
    return _with_account(found, account_id)


def list_notices(ctx, org_id, query) -> dict:
    """The sent log of an org (newest last): the proof of what was sent, skipped or
    given up, and why."""
    with ctx.db.uow(readonly=True) as uow:
        rows, next_cursor = Notices(uow.session).list(org_id, **query)
        return {"items": [notice_dict(r) for r in rows], "next_cursor": next_cursor}
