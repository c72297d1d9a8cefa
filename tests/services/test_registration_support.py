"""Helpers of the registration service tests (no tests here): catalog and accounts data made
through their real RPCs, and registration instances started with other settings.

(They would belong in tests/support/, which this change does not own.)"""
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest

from services.common.errors import CarnetError
from services.catalog.contract import errors as _catalog_errors  # noqa: F401 (typed errors)
from services.accounts.contract import errors as _accounts_errors  # noqa: F401
from services.registration.contract import errors as _registration_errors  # noqa: F401
from tests.support.events import EventListener


def now_utc():
    return datetime.now(timezone.utc).replace(second=0, microsecond=0)


def in_days(days, hours=0):
    return now_utc() + timedelta(days=days, hours=hours)


def refused(call, code):
    """Run ``call`` and return the typed error it raised, checking its API code."""
    with pytest.raises(CarnetError) as raised:
        call()
    assert raised.value.code == code, (raised.value.code, raised.value.details)
    return raised.value


class Shop:
    """One org with a program, and helpers to make activities, occurrences, households
    and holds through the services' RPCs."""

    def __init__(self, rpc):
        self.rpc = rpc
        org = rpc.call("catalog", "create_org", {
            "name": f"Centre {uuid.uuid4().hex[:6]}", "timezone": "America/Montreal",
            "currency": "CAD"})
        self.org_id = org["id"]
        self.program_id = rpc.call("catalog", "create_program", self.org_id,
                                   {"name": "Hiver"})["id"]

    def call(self, service, method, *args, **kwargs):
        return self.rpc.call(service, method, *args, **kwargs)

    def reg(self, method, *args, **kwargs):
        return self.rpc.call("registration", method, self.org_id, *args, **kwargs)

    # -- catalog -------------------------------------------------------------------------------
    def activity(self, session=None, a_la_carte=None, restrictions=None, name="Aquaforme",
                 starts=(), minutes=60):
        """An activity without a weekly schedule, with single occurrences at ``starts``."""
        data = {
            "program_id": self.program_id, "name": name, "accounting_code": "4100",
            "session": {"enabled": True, "price": 12000, "capacity": 10, **(session or {})},
            "a_la_carte": {"enabled": True, "price": 1500, "capacity": 15,
                           "closes_minutes_before": 0,
                           "cancellation": {"allowed": True, "deadline_minutes_before": 60},
                           **(a_la_carte or {})},
        }
        if restrictions:
            data["restrictions"] = restrictions
        activity = self.call("catalog", "create_activity", self.org_id, data)
        occurrences = [self.occurrence(activity["id"], at, minutes) for at in starts]
        return activity, occurrences

    def occurrence(self, activity_id, starts_at, minutes=60):
        return self.call("catalog", "add_occurrence", self.org_id, activity_id,
                         {"starts_at": starts_at.isoformat(), "duration_minutes": minutes})

    # -- accounts ------------------------------------------------------------------------------
    def household(self, *members):
        """An account with ``members`` (dicts of member fields; a default adult if none)."""
        members = [dict({"first_name": f"M{i}", "last_name": "Tremblay",
                         "birth_date": "1990-05-17", "gender": "female", "skills": []}, **m)
                   for i, m in enumerate(members or ({},))]
        return self.call("accounts", "create_account", self.org_id, {
            "email": f"{uuid.uuid4().hex[:10]}@example.org", "name": "Tremblay",
            "members": members})

    # -- registration --------------------------------------------------------------------------
    def hold(self, account, member=None, *, occurrence=None, activity=None, **extra):
        member = member or account["members"][0]
        data = {"member_id": member["id"], "account_id": account["id"],
                "cart_id": "cart_" + uuid.uuid4().hex[:8],
                "cart_item_id": "item_" + uuid.uuid4().hex[:8], **extra}
        if occurrence is not None:
            data.update(kind="a_la_carte", occurrence_id=occurrence["id"])
        else:
            data.update(kind="session", activity_id=activity["id"])
        return self.reg("hold", data)

    def book(self, account, member=None, **kwargs):
        """A hold, confirmed at once by a (pretend) invoice."""
        held = self.hold(account, member, **kwargs)
        invoice_id = "inv_" + uuid.uuid4().hex[:10]
        return self.reg("confirm", [held["id"]], invoice_id)["items"][0]

    def taken(self, occurrence):
        return self.reg("seat_counts", [occurrence["id"]])[occurrence["id"]]


@contextmanager
def registration_running_with(stack, instances=1, **env):
    """Replace the registration instances by ``instances`` started with ``env``; put one
    ordinary instance back afterwards."""
    stack.kill_service("registration")
    try:
        for _ in range(instances):
            stack.start_service("registration", extra_env={k: str(v) for k, v in env.items()})
        yield
    finally:
        stack.kill_service("registration")
        stack.start_service("registration")


@contextmanager
def listening(test_env, *event_types, service="registration"):
    listener = EventListener(test_env.env["AMQP_URI"], service, event_types or ("#",))
    try:
        yield listener
    finally:
        listener.close()
