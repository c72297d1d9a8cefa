"""Rows to the contract's JSON (docs/contracts.md "passes"): times as RFC 3339 with the
org's offset, dates ``YYYY-MM-DD``, counts from the ledgers."""
from services.common.timeutil import to_local_iso

from ..domain import bundles as bundle_rules
from ..domain import memberships as membership_rules
from ..domain import passes as pass_rules
from ..domain.validity import last_valid_day, local_date, zone


def pass_state(row, balance) -> pass_rules.PassState:
    terms = row.terms or {}
    return pass_rules.PassState(
        id=row.id, account_id=row.account_id, member_id=row.member_id, family=row.family,
        uses_total=row.uses_total, balance=int(balance), expires_at=row.expires_at,
        revoked=row.revoked_at is not None,
        eligible_activity_ids=tuple(terms.get("eligible_activity_ids") or ()),
        credit_on_cancel=bool(terms.get("credit_on_cancel")))


def pass_view(row, balance, used, now) -> dict:
    tz = zone(row.timezone)
    state = pass_state(row, balance)
    return {
        "id": row.id, "org_id": row.org_id, "pass_type_id": row.pass_type_id,
        "terms_version": row.terms_version, "name": row.name, "family": row.family,
        "account_id": row.account_id, "member_id": row.member_id,
        "status": pass_rules.status(state, now),
        "uses_total": row.uses_total, "uses_left": state.uses_left, "uses_used": int(used),
        "expires_at": to_local_iso(row.expires_at, tz),
        "valid_until": _day(last_valid_day(row.expires_at, tz)),
        "purchased_at": to_local_iso(row.purchased_at, tz),
        "origin": row.origin, "invoice_id": row.invoice_id,
        "revoked_at": to_local_iso(row.revoked_at, tz),
        "terms": dict(row.terms or {}),
    }


def counted_balance(row) -> int:
    """The ledger's balance as the pass's counters keep it (models.py): what a write reads
    and answers, whatever the length of the ledger."""
    return pass_rules.balance_of_counters(row.uses_total, row.uses_left, row.uses_used)


def counted_state(row) -> pass_rules.PassState:
    return pass_state(row, counted_balance(row))


def counted_pass_view(row, now) -> dict:
    return pass_view(row, counted_balance(row), row.uses_used, now)


def pass_entry_view(entry, tz_name) -> dict:
    tz = zone(tz_name)
    return {
        "id": str(entry.id), "pass_id": entry.pass_id, "kind": entry.kind,
        "delta": entry.delta, "registration_id": entry.ref_id, "member_id": entry.member_id,
        "activity_id": entry.activity_id,
        "occurrence_starts_at": to_local_iso(entry.occurrence_starts_at, tz),
        "reason": entry.reason, "actor": entry.actor, "data": entry.data,
        "created_at": to_local_iso(entry.created_at, tz),
    }


def report_row(view) -> dict:
    """A line of the pass report (R4.2, docs/http-api.md "Reports")."""
    return {"pass_id": view["id"], "account_id": view["account_id"],
            "member_id": view["member_id"], "pass_type_id": view["pass_type_id"],
            "name": view["name"], "family": view["family"], "status": view["status"],
            "purchased_at": view["purchased_at"], "expires_at": view["expires_at"],
            "uses_total": view["uses_total"], "uses_left": view["uses_left"],
            "uses_used": view["uses_used"]}


def bundle_view(row, counts) -> dict:
    tz = zone(row.timezone)
    return {
        "id": row.id, "org_id": row.org_id, "bundle_type_id": row.bundle_type_id,
        "name": row.name, "division": row.division, "account_id": row.account_id,
        "member_id": row.member_id, "invoice_id": row.invoice_id, "price": row.price,
        "status": bundle_rules.REVOKED if row.revoked_at is not None else bundle_rules.ACTIVE,
        "purchased_at": to_local_iso(row.purchased_at, tz),
        "revoked_at": to_local_iso(row.revoked_at, tz),
        "items": [c.as_dict() for c in counts],
    }


def bundle_entry_view(entry, tz_name) -> dict:
    tz = zone(tz_name)
    return {"id": str(entry.id), "bundle_id": entry.bundle_id, "service_id": entry.service_id,
            "kind": entry.kind, "appointment_id": entry.ref_id, "seq": entry.seq,
            "total": entry.d_total, "booked": entry.d_booked, "used": entry.d_used,
            "reason": entry.reason, "created_at": to_local_iso(entry.created_at, tz)}


def membership_view(row, now) -> dict:
    tz = zone(row.timezone)
    today = local_date(now, tz)
    return {
        "id": row.id, "org_id": row.org_id, "membership_type_id": row.membership_type_id,
        "name": row.name, "account_id": row.account_id, "member_id": row.member_id,
        "invoice_id": row.invoice_id, "starts_on": _day(row.starts_on),
        "ends_on": _day(row.ends_on), "last_day": _day(membership_rules.last_day(row.ends_on)),
        "status": membership_rules.status(row.starts_on, row.ends_on,
                                          row.revoked_at is not None, today),
        "sold_at": to_local_iso(row.sold_at, tz),
        "revoked_at": to_local_iso(row.revoked_at, tz),
    }


def _day(value):
    return value.isoformat() if value is not None else None
