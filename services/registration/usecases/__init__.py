"""Registration's use cases, one module per topic, one function per use case
(``def hold(ctx, org_id, data) -> dict``): they open units of work (``ctx.db.uow()``), call
the domain, ask the other services through ``ctx.peers`` (never inside a write transaction)
and emit events (``uow.emit(events.…)``).

- ``holds``: a seat held (R3.1–R3.3), the lapsed holds swept, the occurrences learnt;
- ``registrations``: release, confirm (checkout), cancel (R3.5–R3.7), and the reads;
- ``pass_booking``: paying à la carte with a pass (R3.4, R3.10) and giving its use back;
- ``seat_rules``: the catalog's seat rules (R2.5, R2.6) and cancelled occurrences;
- ``subscription_seats``: seats paid by a subscription that ended (R2.13, R6.3–R6.5);
- ``waitlist``: the waiting list (R3.9);
- ``policies``: no-shows and fees (R8.1), walk-in clients (R8.3);
- ``appointments``: salon appointments and the bundles applied to them (R5.1, R5.2, R4.6).
"""
