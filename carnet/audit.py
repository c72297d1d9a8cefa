"""What the databases say after a load (the fault tests' and ``bench.booking``'s audit):
the checks an accountant or a front desk would make, read straight from registration's
and passes' own databases, never through the services.

- **no oversell**: every à la carte seat pool's ``taken`` equals its live registrations
  (held or confirmed), and never exceeds the pool's capacity;
- **no duplicate**: no (member, occurrence) is confirmed twice;
- **no double debit**: each pass's ``uses_left`` equals the sum of its ledger entries, and
  its net debits (debits − credits) equal the live registrations it paid for.

Used by ``tests/support/booking_load.py`` and ``bench/booking.py`` (so that the benchmark
run with several instances of each service is checked as the tests check theirs).
"""
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text

LIVE = ("held", "confirmed")


@dataclass
class Audit:
    registrations: list = field(default_factory=list)   # rows of the org's registrations
    oversold: list = field(default_factory=list)        # (occurrence, taken, live, capacity)
    duplicates: int = 0
    ledger_mismatches: list = field(default_factory=list)

    @property
    def consistent(self):
        return not (self.oversold or self.duplicates or self.ledger_mismatches)


def bookings(registration_url, passes_url, org_id, occurrence_ids, pass_ids):
    """The audit of ``org_id``'s bookings on ``occurrence_ids`` paid (or not) with
    ``pass_ids``."""
    audit = Audit()
    engine = create_engine(registration_url)
    try:
        with engine.connect() as conn:
            audit.registrations = conn.execute(text(
                "SELECT id, member_id, occurrence_id, status, paid_with_type, paid_with_id "
                "FROM registrations WHERE org_id = :org"), {"org": org_id}).all()
            pools = {row.id: row for row in conn.execute(text(
                "SELECT id, taken, capacity FROM seat_pools WHERE id LIKE 'a_la_carte:%'"))}
    finally:
        engine.dispose()
    live = [r for r in audit.registrations if r.status in LIVE]
    confirmed = {}
    for r in audit.registrations:
        if r.status == "confirmed":
            confirmed[(r.member_id, r.occurrence_id)] = \
                confirmed.get((r.member_id, r.occurrence_id), 0) + 1
    audit.duplicates = sum(n - 1 for n in confirmed.values() if n > 1)
    for occurrence in occurrence_ids:
        pool = pools.get(f"a_la_carte:{occurrence}")
        taken = pool.taken if pool is not None else 0
        count = sum(1 for r in live if r.occurrence_id == occurrence)
        if taken != count or (pool is not None and taken > pool.capacity):
            audit.oversold.append((occurrence, taken, count,
                                   pool.capacity if pool is not None else None))
    engine = create_engine(passes_url)
    try:
        with engine.connect() as conn:
            for pass_id in pass_ids:
                left = conn.execute(text("SELECT uses_left FROM passes WHERE id = :p"),
                                    {"p": pass_id}).scalar_one()
                total, net_debits = conn.execute(text(
                    "SELECT COALESCE(SUM(delta), 0), COALESCE(SUM(CASE WHEN kind = 'debit' "
                    "THEN 1 WHEN kind = 'credit' THEN -1 ELSE 0 END), 0) FROM pass_entries "
                    "WHERE pass_id = :p"), {"p": pass_id}).one()
                used = sum(1 for r in live if r.paid_with_id == pass_id)
                if not (left == total and net_debits == used):
                    audit.ledger_mismatches.append({
                        "pass": pass_id, "uses_left": left, "sum_of_entries": total,
                        "net_debits": net_debits, "live_registrations": used})
    finally:
        engine.dispose()
    return audit
