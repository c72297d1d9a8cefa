"""Issue #14's history case: "a booking on an occurrence with 5,000 registrations and a pass
with 5,000 ledger entries costs what it costs on an empty database".

Two sides, same shape, same run: a household (25 members and a family pass) booking
occurrences of one activity. On the *history* side, each occurrence already holds
``CARNET_BENCH_HISTORY`` confirmed registrations and the pass ``CARNET_BENCH_HISTORY``
debits; on the *empty* side, nothing. Bookings alternate between the sides (so the
machine's noise hits both alike), one client; p50, p99 and the ratio are printed.

The history is written **straight into registration's and passes' databases** by the bench
(thousands of bookings through the API would take minutes): each side first makes one real
booking per occurrence, and the history side's rows are copies of that booking's
registration and ledger entry (``INSERT … SELECT`` of every column, with new ids and
members), the seat pool's ``taken`` and the pass's ``uses_left`` moved to match. A bench
setup, never how the services are used; it copies whatever columns the tables have, so a
schema change does not break it.
"""
import math
import time

from sqlalchemy import inspect, text

from bench.common import pct
from services.common import db

MEMBERS = 25
WARM = 5


def _clone(conn, table, template_where, template_params, replace, rows, skip=()):
    """Copy the one row ``template_where`` selects once per ``rows`` entry, with the
    columns of ``replace`` (column -> parameter name) set from the entry."""
    columns = [c["name"] for c in inspect(conn).get_columns(table) if c["name"] not in skip]
    quoted = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f":{replace[c]}" if c in replace else f'"{c}"' for c in columns)
    statement = text(f'INSERT INTO "{table}" ({quoted}) SELECT {values} FROM "{table}" '
                     f"WHERE {template_where}")
    for start in range(0, len(rows), 1000):
        conn.execute(statement, [dict(template_params, **row)
                                 for row in rows[start:start + 1000]])


def prefill(env, count, pass_id, registrations):
    """``count`` registrations on each booked occurrence (copies of ``registrations``, one
    real booking per occurrence) and ``count`` debits on the pass."""
    engine = db.make_engine(env["REGISTRATION_DATABASE_URL"], pool_size=1, max_overflow=1)
    try:
        with engine.begin() as conn:
            for index, registration in enumerate(registrations):
                rows = [{"new_id": f"reg_hist{index}_{i:06d}",
                         "new_member": f"mem_hist{index}_{i:06d}",
                         "new_account": f"acc_hist_{i:06d}"} for i in range(count)]
                _clone(conn, "registrations", "id = :template", {"template": registration["id"]},
                       {"id": "new_id", "member_id": "new_member", "account_id": "new_account"},
                       rows)
                conn.execute(text("UPDATE seat_pools SET taken = taken + :n WHERE id = "
                                  "(SELECT pool_id FROM registrations WHERE id = :template)"),
                             {"n": count, "template": registration["id"]})
    finally:
        engine.dispose()
    engine = db.make_engine(env["PASSES_DATABASE_URL"], pool_size=1, max_overflow=1)
    try:
        with engine.begin() as conn:
            rows = [{"new_ref": f"reg_hist0_{i:06d}", "new_member": f"mem_hist0_{i:06d}"}
                    for i in range(count)]
            _clone(conn, "pass_entries",
                   "pass_id = :pass_id AND ref_id = :template AND kind = 'debit'",
                   {"pass_id": pass_id, "template": registrations[0]["id"]},
                   {"ref_id": "new_ref", "member_id": "new_member"}, rows, skip=("id",))
            conn.execute(text("UPDATE passes SET uses_left = uses_left - :n WHERE id = :id"),
                         {"n": count, "id": pass_id})
            entries = conn.execute(text("SELECT count(*) FROM pass_entries WHERE pass_id = :id"),
                                   {"id": pass_id}).scalar()
    finally:
        engine.dispose()
    return entries


def run(centre, backend, stack, count, n, book):
    """Print the history case's p50 against the empty case's; returns the ratio."""
    occurrences = math.ceil((n + WARM) / MEMBERS)
    activity, made = centre.activity("Aquaforme", 2 * occurrences, count + MEMBERS + 10, 1200,
                                     first_hour=500)
    kind = centre.pass_type(activity, uses=count + 2 * (n + WARM) + 100)
    sides = {}
    for side, occ in (("empty", made[:occurrences]), ("history", made[occurrences:])):
        house = centre.household(MEMBERS + 1, kind)
        template_member = house.members[-1]
        booked = [book(centre, house, template_member, o) for o in occ]
        slots = iter([(m, o) for o in occ for m in house.members[:MEMBERS]])
        sides[side] = (house, booked, slots)
    house, booked, _ = sides["history"]
    print(f"\nhistory case ({backend}): writing {count} registrations on each of "
          f"{occurrences} occurrences and {count} ledger entries on one pass, straight into "
          "the databases …", flush=True)
    entries = prefill(stack.env, count, house.pass_id, booked)
    samples = {"empty": [], "history": []}
    for i in range(WARM + n):
        for side in (("empty", "history") if i % 2 else ("history", "empty")):
            house, _, slots = sides[side]
            member, occurrence = next(slots)
            start = time.perf_counter()
            book(centre, house, member, occurrence)
            if i >= WARM:
                samples[side].append(time.perf_counter() - start)
    empty, full = samples["empty"], samples["history"]
    ratio = pct(full, 50) / pct(empty, 50)
    print(f"pass booking, 1 client, alternating, n={n} per side ({backend})")
    print(f"  empty database                            p50 {pct(empty, 50) * 1000:7.1f} ms  "
          f"p99 {pct(empty, 99) * 1000:7.1f} ms")
    print(f"  {count} registrations/occurrence, pass with {entries} entries "
          f"p50 {pct(full, 50) * 1000:7.1f} ms  p99 {pct(full, 99) * 1000:7.1f} ms")
    print(f"  history / empty p50: {ratio:.2f}x   (#14: should be ~1.00x)")
    return ratio
