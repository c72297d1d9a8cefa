"""Helpers of the passes service tests (no tests here): an org with activities, services
and households made through the real catalog and accounts RPCs, and a direct read of the
passes database to check that the cached counters equal the ledger sums (R4.1)."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class World:
    """One org of its own per test: nothing is shared between tests."""

    def __init__(self, rpc, timezone_name="America/Montreal"):
        self.rpc = rpc
        self.org = rpc.call("catalog", "create_org", {
            "name": unique("Centre"), "timezone": timezone_name, "currency": "CAD"})
        self.id = self.org["id"]
        self.program = rpc.call("catalog", "create_program", self.id, {"name": "Hiver"})

    def call(self, method, *args, **kwargs):
        return self.rpc.call("passes", method, self.id, *args, **kwargs)

    def activity(self, name="Yoga"):
        return self.rpc.call("catalog", "create_activity", self.id, {
            "program_id": self.program["id"], "name": name})["id"]

    def service(self, name="Coupe", price=4000):
        return self.rpc.call("catalog", "create_service", self.id, {
            "name": name, "duration_minutes": 45, "price": price})["id"]

    def household(self, members=2):
        first_names = ["Marie", "Léo", "Zoé", "Noah"]
        return self.rpc.call("accounts", "create_account", self.id, {
            "email": f"{unique('owner')}@example.com", "name": "Famille Tremblay",
            "members": [{"first_name": first_names[i], "last_name": "Tremblay",
                         "birth_date": "1990-01-01"} for i in range(members)]})

    def pass_type(self, activity_ids, **terms):
        data = {"name": "Carte 10 yoga", "price": 9000, "uses": 10, "valid_days": 90,
                "family": False, "eligible_activity_ids": list(activity_ids),
                "credit_on_cancel": True}
        data.update(terms)
        return self.rpc.call("catalog", "create_pass_type", self.id, data)

    def sell_pass(self, pass_type, account, member=None, **extra):
        data = {"pass_type_id": pass_type["id"], "account_id": account["id"],
                "invoice_id": extra.pop("invoice_id", unique("inv"))}
        if member is not None:
            data["member_id"] = member["id"]
        data.update(extra)
        return self.call("sell_pass", data)

    def debit(self, pass_id, member, activity_id, registration_id=None, starts_at=None):
        data = {"registration_id": registration_id or unique("reg"),
                "member_id": member["id"], "activity_id": activity_id}
        if starts_at is not None:
            data["occurrence_starts_at"] = starts_at
        return self.call("debit_pass", pass_id, data)


def soon(days=1):
    return (datetime.now(timezone.utc) + timedelta(days=days)).isoformat()


@pytest.fixture
def world(rpc):
    return World(rpc)


@pytest.fixture(scope="session")
def passes_db(test_env, stack):
    """The passes database, read directly to check invariants (never written)."""
    engine = create_engine(test_env.env["PASSES_DATABASE_URL"])
    yield engine
    engine.dispose()


def pass_cache_and_ledger(engine, pass_id):
    """(cached uses_left, ledger sum, number of debits) of one pass."""
    with engine.connect() as conn:
        cached = conn.execute(text("SELECT uses_left FROM passes WHERE id = :id"),
                              {"id": pass_id}).scalar_one()
        total = conn.execute(text("SELECT COALESCE(SUM(delta), 0) FROM pass_entries "
                                  "WHERE pass_id = :id"), {"id": pass_id}).scalar_one()
        debits = conn.execute(text("SELECT COUNT(*) FROM pass_entries WHERE pass_id = :id "
                                   "AND kind = 'debit'"), {"id": pass_id}).scalar_one()
    return cached, int(total), int(debits)


def bundle_cache_and_ledger(engine, bundle_id):
    """``{service_id: ((total, booked, used) cached, (total, booked, used) summed)}``."""
    with engine.connect() as conn:
        cached = {r[0]: tuple(r[1:]) for r in conn.execute(text(
            "SELECT service_id, total, booked, used FROM bundle_items WHERE bundle_id = :id"),
            {"id": bundle_id})}
        summed = {r[0]: tuple(int(v) for v in r[1:]) for r in conn.execute(text(
            "SELECT service_id, SUM(d_total), SUM(d_booked), SUM(d_used) FROM bundle_entries "
            "WHERE bundle_id = :id GROUP BY service_id"), {"id": bundle_id})}
    return {s: (cached[s], summed.get(s)) for s in cached}
