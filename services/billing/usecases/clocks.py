"""Per-org test clocks (development and tests only, ``CARNET_TEST_CLOCKS=1``): the org's
business "now" for subscriptions, reports and e-mails."""
from services.common.clock import ensure_utc

from ..adapters.repositories import TestClocks
from ..contract.errors import TestClocksDisabled


def ensure_enabled(ctx):
    if not ctx.settings.test_clocks_enabled():
        raise TestClocksDisabled("test clocks are disabled (CARNET_TEST_CLOCKS=1 enables "
                                 "them, in development and tests only)")


def set_test_clock(ctx, org_id, data):
    ensure_enabled(ctx)  # (service.py asks first too: before the input is loaded)
    at = ensure_utc(data["now"])
    ctx.peers.org(org_id)  # an unknown org is not_found
    with ctx.db.uow() as uow:
        TestClocks(uow.session).set(org_id, at, ctx.clock.now())
        uow.commit()
    return {"org_id": org_id, "now": at.isoformat(), "frozen": True}


def clear_test_clock(ctx, org_id):
    ensure_enabled(ctx)
    with ctx.db.uow() as uow:
        TestClocks(uow.session).clear(org_id)
        uow.commit()
    return {"org_id": org_id, "now": ctx.clock.now().isoformat(), "frozen": False}


def get_test_clock(ctx, org_id):
    """``{org_id, now, frozen}``: the org's test clock (``frozen: true``), or real time
    (also when test clocks are disabled). Notifications asks before e-mailing."""
    at = None
    if ctx.settings.test_clocks_enabled():
        with ctx.db.uow(readonly=True) as uow:
            at = TestClocks(uow.session).get(org_id)
    return {"org_id": org_id, "now": (at or ctx.clock.now()).isoformat(),
            "frozen": at is not None}
