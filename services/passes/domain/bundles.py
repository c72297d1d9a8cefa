"""Salon bundles ("10 + 1 slimming treatments"): sale to a named client, and per service
total, booked, used and remaining = total - booked - used (R2.11, R4.4-R4.7, R6.5).

Each movement is a ledger entry per service (R4.1), carrying how it moves the three counts:

    sale    total +count
    book    booked +1              (applied to an appointment, R4.6)
    unbook  booked -1              (removed from it, or the appointment cancelled, R4.6/R4.7)
    use     booked -1, used +1     (the booked appointment checked out, R4.7)
    use     used +1                (applied at checkout without being booked first, R4.7)
    revoke  total -remaining       (its invoice voided while nothing was booked or used)

Booking is idempotent on the appointment's state on the bundle: booking an appointment that
is already booked on it writes nothing; after an unbook the same appointment may be booked
again (a new entry, numbered ``seq``). A use is final: a second use of the same appointment
writes nothing.
"""
from dataclasses import dataclass
from typing import Optional

from ..contract.errors import (BundleExhausted, BundleNotApplicable, ClientRequired,
                          InvalidPassesInput)

SALE, BOOK, UNBOOK, USE, REVOKE = "sale", "book", "unbook", "use", "revoke"

ACTIVE, REVOKED = "active", "revoked"

# What an appointment is on one bundle, from that bundle's entries for the appointment.
NONE, BOOKED, USED = "none", "booked", "used"


@dataclass(frozen=True)
class Counts:
    service_id: str
    total: int
    booked: int
    used: int

    @property
    def remaining(self) -> int:
        return self.total - self.booked - self.used

    def as_dict(self) -> dict:
        return {"service_id": self.service_id, "total": self.total, "booked": self.booked,
                "used": self.used, "remaining": self.remaining}


def require_client(member_id):
    """R4.4: no walk-in sale."""
    if not member_id:
        raise ClientRequired("a bundle is sold to a named client: member_id is required",
                             {"member_id": ["required (R4.4)"]})


def find_division(bundle_type: dict, division: str) -> dict:
    """The division of ``bundle_type`` (catalog ``get_bundle_type``) named ``division``
    (trimmed, case-insensitive: division names are unique that way in the catalog)."""
    wanted = (division or "").strip().casefold()
    for candidate in bundle_type.get("divisions") or []:
        if candidate["name"].strip().casefold() == wanted:
            return candidate
    names = [d["name"] for d in bundle_type.get("divisions") or []]
    raise InvalidPassesInput("this bundle type has no such division",
                             {"division": [f"one of: {', '.join(names)}"]})


def sale_items(division: dict) -> list:
    """``[(service_id, count)]`` of a division, a service once."""
    totals = {}
    for item in division["items"]:
        totals[item["service_id"]] = totals.get(item["service_id"], 0) + int(item["count"])
    return list(totals.items())


@dataclass(frozen=True)
class AppointmentOnBundle:
    """What the bundle's ledger says about one appointment."""
    state: str                    # none | booked | used
    service_id: Optional[str]     # of the booking or use
    books: int                    # book entries so far (the next one's seq)
    unbooks: int                  # unbook entries so far


def appointment_state(entries) -> AppointmentOnBundle:
    """``entries``: (kind, service_id) of one bundle's entries for one appointment."""
    books = unbooks = uses = 0
    service_id = None
    for kind, service in entries:
        if kind == BOOK:
            books += 1
            service_id = service
        elif kind == UNBOOK:
            unbooks += 1
        elif kind == USE:
            uses += 1
            service_id = service
    if uses:
        state = USED
    elif books > unbooks:
        state = BOOKED
    else:
        state = NONE
    return AppointmentOnBundle(state, service_id, books, unbooks)


def _applicable(bundle_id, revoked, counts: Optional[Counts], service_id):
    if revoked:
        raise BundleNotApplicable("this bundle was revoked",
                                  {"reason": "revoked", "bundle_id": bundle_id})
    if counts is None:
        raise BundleNotApplicable("this bundle does not include this service",
                                  {"reason": "service", "bundle_id": bundle_id,
                                   "service_id": service_id})


def _exhausted(bundle_id, counts: Counts):
    raise BundleExhausted("no use of this service is left in the bundle",
                          dict(counts.as_dict(), bundle_id=bundle_id))


def plan_book(bundle_id, revoked, counts: Optional[Counts], service_id,
              on_bundle: AppointmentOnBundle) -> str:
    """``"replay"`` (already booked or used for that appointment: nothing to write) or
    ``"book"`` (one use of ``service_id`` becomes booked)."""
    if on_bundle.state in (BOOKED, USED):
        if on_bundle.service_id != service_id:
            raise BundleNotApplicable("this appointment is on the bundle for another service",
                                      {"reason": "appointment_service",
                                       "bundle_id": bundle_id,
                                       "service_id": on_bundle.service_id})
        return "replay"
    _applicable(bundle_id, revoked, counts, service_id)
    if counts.remaining < 1:
        _exhausted(bundle_id, counts)
    return "book"


def plan_unbook(on_bundle: AppointmentOnBundle) -> str:
    """``"unbook"`` when the appointment is booked on the bundle; otherwise ``"noop"`` (never
    booked, already unbooked, or already used: a done appointment keeps its use)."""
    return "unbook" if on_bundle.state == BOOKED else "noop"


def plan_use(bundle_id, revoked, counts: Optional[Counts], service_id,
             on_bundle: AppointmentOnBundle) -> str:
    """``"replay"`` (already used), ``"use_booked"`` (booked -> used, R4.7) or
    ``"use_direct"`` (applied at checkout without a booking: remaining -> used)."""
    if on_bundle.state == USED:
        return "replay"
    if on_bundle.state == BOOKED:
        if on_bundle.service_id != service_id:
            raise BundleNotApplicable("this appointment is on the bundle for another service",
                                      {"reason": "appointment_service",
                                       "bundle_id": bundle_id,
                                       "service_id": on_bundle.service_id})
        return "use_booked"
    _applicable(bundle_id, revoked, counts, service_id)
    if counts.remaining < 1:
        _exhausted(bundle_id, counts)
    return "use_direct"


def movement(plan: str):
    """(kind, d_booked, d_used) written for a plan."""
    return {"book": (BOOK, 1, 0), "unbook": (UNBOOK, -1, 0), "use_booked": (USE, -1, 1),
            "use_direct": (USE, 0, 1)}[plan]


def revocable(counts) -> bool:
    """R6.5: a bundle nothing was booked on or used from may be revoked. A booked use is an
    appointment that still counts on the bundle, so the bundle stays."""
    return all(c.booked == 0 and c.used == 0 for c in counts)


def not_revocable_reason(counts) -> Optional[str]:
    if any(c.used for c in counts):
        return "used"
    if any(c.booked for c in counts):
        return "booked"
    return None


def candidates(bundles):
    """Bundles (``(bundle_id, revoked, counts for the service)``) that can pay for one more
    appointment of the service."""
    return [b for b in bundles if not b[1] and b[2] is not None and b[2].remaining > 0]
