"""One use of a pass for one registration, and its return (R3.4-R3.6, R4.1).

A debit is one write transaction: the pass row locked (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), the replay checked, the
rules judged on the pass's counters (never on its whole ledger), one use taken by a
conditional ``UPDATE`` that holds only while a use is left, the entry and ``pass_debited``
written, one commit. Several instances never lose or double a use, and a replayed
registration writes nothing (its unique entry).

Who holds a pass (R3.4): when the pass does not name the debited member (a family pass, or
an individual pass not used yet), the member's account decides. Registration, which has just
asked accounts, sends it (``account_id``); without it the transaction is left unwritten,
accounts is asked (outside any transaction) and the debit is tried once more. Eligibility is
judged on the activity id against the terms kept with the pass: the catalog is not asked.
"""
from ..adapters.models import PassEntry
from ..adapters.presenters import counted_pass_view, counted_state, pass_entry_view
from ..adapters.repositories import PassRepository
from ..contract import events
from ..contract.errors import PassExhausted, PassUseNotFound
from ..domain import passes as pass_rules
from .context import once
from .passes import found

_NEEDS_ACCOUNT = object()


def _movement(row, entry, now, **extra):
    return dict({"pass": counted_pass_view(row, now),
                 "entry": pass_entry_view(entry, row.timezone) if entry is not None else None},
                **extra)


def _replay(ctx, org_id, pass_id, registration_id, kind, now, **extra):
    """What an earlier identical request wrote (a unique entry refused ours), or None."""
    with ctx.db.uow(readonly=True) as uow:
        repo = PassRepository(uow.session)
        row = repo.get(org_id, pass_id)
        entry = repo.entry(pass_id, registration_id, kind) if row is not None else None
        return None if entry is None else _movement(row, entry, now, replayed=True, **extra)


def debit_pass(ctx, org_id, pass_id, data):
    """One use of the pass for one registration (R3.4); idempotent on the registration: a
    replay returns the first entry and writes nothing."""
    now = ctx.clock.now()
    registration_id = data["registration_id"]

    def write(account_id):
        return _debit(ctx, org_id, pass_id, data, account_id, now)
    recorded = lambda: _replay(ctx, org_id, pass_id, registration_id,  # noqa: E731
                               pass_rules.DEBIT, now)
    result = once(lambda: write(data["account_id"]), recorded)
    if result is _NEEDS_ACCOUNT:
        account_id = ctx.peers.member_account(org_id, data["member_id"])
        result = once(lambda: write(account_id), recorded)
    return result


def _debit(ctx, org_id, pass_id, data, member_account_id, now):
    registration_id, member_id = data["registration_id"], data["member_id"]
    with ctx.db.uow() as uow:
        repo = PassRepository(uow.session)
        row = found(repo, org_id, pass_id, lock=True)
        entry = repo.entry(pass_id, registration_id, pass_rules.DEBIT)
        if entry is not None:
            return _movement(row, entry, now, replayed=True)
        state = counted_state(row)
        if member_account_id is None and pass_rules.needs_member_account(state, member_id):
            return _NEEDS_ACCOUNT  # nothing written: asked outside the transaction
        pass_rules.check_debit(state, member_id, member_account_id, data["activity_id"],
                               data["occurrence_starts_at"] or now)
        if not repo.count_use(row, now):  # and the row's updated_at: no UPDATE of its own
            raise PassExhausted("this pass has no use left",
                                {"pass_id": pass_id, "uses_total": row.uses_total,
                                 "uses_left": 0})
        if pass_rules.binds_member(state):
            row.member_id = member_id
        entry = repo.add_entry(PassEntry(
            pass_id=row.id, org_id=org_id, kind=pass_rules.DEBIT, delta=-1,
            ref_id=registration_id, member_id=member_id, activity_id=data["activity_id"],
            occurrence_starts_at=data["occurrence_starts_at"], created_at=now))
        result = _movement(row, entry, now, replayed=False)
        uow.emit(events.PASS_DEBITED, dict(result["pass"], entry=result["entry"]),
                 occurred_at=now)
        uow.commit()
    return result


def credit_pass(ctx, org_id, pass_id, data):
    """The use of a cancelled registration given back where the terms allow it
    (``credit_on_cancel``, R3.5) or staff say so (``force``, R3.6); idempotent on the
    registration. ``credited`` says whether it came back."""
    now = ctx.clock.now()
    registration_id = data["registration_id"]
    return once(lambda: _credit(ctx, org_id, pass_id, data, now),
                lambda: _replay(ctx, org_id, pass_id, registration_id, pass_rules.CREDIT, now,
                                credited=True))


def _credit(ctx, org_id, pass_id, data, now):
    registration_id, force = data["registration_id"], data["force"]
    with ctx.db.uow() as uow:
        repo = PassRepository(uow.session)
        row = found(repo, org_id, pass_id, lock=True)
        entry = repo.entry(pass_id, registration_id, pass_rules.CREDIT)
        if entry is not None:
            return _movement(row, entry, now, replayed=True, credited=True)
        debit = repo.entry(pass_id, registration_id, pass_rules.DEBIT)
        if debit is None:
            raise PassUseNotFound("this registration did not use this pass",
                                  {"pass_id": pass_id, "registration_id": registration_id})
        credit_on_cancel = row.terms.get("credit_on_cancel")
        if not pass_rules.credit_allowed(credit_on_cancel, force):
            return _movement(row, None, now, replayed=False, credited=False)
        entry = repo.add_entry(PassEntry(
            pass_id=row.id, org_id=org_id, kind=pass_rules.CREDIT, delta=1,
            ref_id=registration_id, member_id=debit.member_id, activity_id=debit.activity_id,
            occurrence_starts_at=debit.occurrence_starts_at,
            reason=data["reason"] or ("given back by staff" if force and not credit_on_cancel
                                      else "booking cancelled"),
            actor=data["actor"], data={"force": bool(force)}, created_at=now))
        repo.give_back_use(row)
        row.updated_at = now
        result = _movement(row, entry, now, replayed=False, credited=True)
        uow.emit(events.PASS_CREDITED, dict(result["pass"], entry=result["entry"]),
                 occurred_at=now)
        uow.commit()
    return result
