"""The events the passes service publishes (exchange ``passes.events``), their payloads and
versions. A consumer subscribes with these constants::

    from services.passes.contract import events as passes_events
    @event_handler("passes", passes_events.PASS_DEBITED)

Every payload is the object after the change, as the RPCs return it (times RFC 3339 with the
org's offset); the events that record a ledger entry carry it as ``entry`` (R4.1).
"""
from marshmallow import fields

from services.common.schemas import Contract

from . import schemas

PASS_SOLD = "pass_sold"
PASS_GRANTED = "pass_granted"
PASS_EXPIRY_CHANGED = "pass_expiry_changed"
PASS_DEBITED = "pass_debited"
PASS_CREDITED = "pass_credited"
PASS_REVOKED = "pass_revoked"
BUNDLE_SOLD = "bundle_sold"
BUNDLE_BOOKED = "bundle_booked"
BUNDLE_UNBOOKED = "bundle_unbooked"
BUNDLE_USED = "bundle_used"
BUNDLE_REVOKED = "bundle_revoked"
MEMBERSHIP_SOLD = "membership_sold"
MEMBERSHIP_REVOKED = "membership_revoked"


class PassChanged(schemas.PassOut, Contract):
    """``pass_sold``: the pass as sold."""


class PassMoved(PassChanged):
    """The pass after the change, and the ledger entry that records it."""
    entry = fields.Nested(schemas.PassEntryOut, required=True)


class BundleChanged(schemas.BundleOut, Contract):
    """``bundle_sold``, ``bundle_revoked``: the bundle with its counts per service."""


class BundleMoved(BundleChanged):
    """The bundle after a booking, unbooking or use, and the ledger entry."""
    entry = fields.Nested(schemas.BundleEntryOut, required=True)


class MembershipChanged(schemas.MembershipOut, Contract):
    """``membership_sold``: the membership as sold."""


class MembershipRevoked(MembershipChanged):
    reason = fields.String(required=True, metadata={"description": "invoice voided"})


PAYLOADS = {
    PASS_SOLD: PassChanged,
    PASS_GRANTED: PassMoved,
    PASS_EXPIRY_CHANGED: PassMoved,
    PASS_DEBITED: PassMoved,
    PASS_CREDITED: PassMoved,
    PASS_REVOKED: PassMoved,
    BUNDLE_SOLD: BundleChanged,
    BUNDLE_BOOKED: BundleMoved,
    BUNDLE_UNBOOKED: BundleMoved,
    BUNDLE_USED: BundleMoved,
    BUNDLE_REVOKED: BundleChanged,
    MEMBERSHIP_SOLD: MembershipChanged,
    MEMBERSHIP_REVOKED: MembershipRevoked,
}

VERSIONS = {event_type: 1 for event_type in PAYLOADS}
