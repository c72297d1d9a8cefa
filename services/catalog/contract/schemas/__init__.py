"""Marshmallow contracts of catalog's RPC methods (docs/contracts.md), also used by the
gateway for docs/http-api.md's catalog routes (request validation and the OpenAPI document); the
events' payloads are in ``contract/events.py``.

Split by topic (the single module was over 600 lines): ``orgs`` (the org, its taxes),
``activities`` (programs, activities, offers, seat conversions), ``occurrences``,
``products`` (services, pass/bundle/membership types, subscription plans and their edits),
``common`` (bounds, field factories, pages). Import them from here.

Inputs (``*In``) refuse unknown fields; money is a non-negative integer in minor units,
never a float (R1.3). An update (``*Patch``) loads the input schema with ``partial=True``:
only the fields sent are present, so the domain can merge them (no defaults are filled in
here; defaults are the domain's business).

Outputs (``*Out``) document what the service returns: times are RFC 3339 strings with the
org's offset, dates ``YYYY-MM-DD``.
"""
from .activities import (ActivitiesQuery, ActivityIn, ActivityOut, ActivityPatch, ALaCarteIn,
                         ALaCarteOut, CancellationIn, CancellationOut, FeeIn, FeePolicyIn,
                         ProgramIn, ProgramOut, RestrictionsIn, RestrictionsOut, ScheduleIn,
                         ScheduleOut, SeatConversionIn, SeatConversionOut,
                         SessionCancellationIn, SessionIn, SessionOut, SlotIn, SlotOut)
from .common import (MAX_AMOUNT, MAX_CAPACITY, MAX_DURATION, MAX_MINUTES, DateOrDateTime,
                     PageQuery, Partial, page_of)
from .occurrences import (AvailabilityOut, CalendarQuery, OccurrenceAvailabilityOut,
                          OccurrenceIn, RangeQuery)
from .orgs import OrgIn, OrgOut, OrgPatch, TaxIn, TaxOut, TaxRulesIn
from .products import (BundleItemIn, BundleItemOut, BundleTypeIn, BundleTypeOut,
                       BundleTypePatch, DivisionIn, DivisionOut, MembershipTypeIn,
                       MembershipTypeOut, MembershipTypePatch, PassTypeIn, PassTypeOut,
                       PassTypePatch, ServiceIn, ServiceOut, ServicePatch, SubscriptionPlanIn,
                       SubscriptionPlanOut, SubscriptionPlanPatch, TermsQuery)

__all__ = [
    "ALaCarteIn", "ALaCarteOut", "ActivitiesQuery", "ActivityIn", "ActivityOut", "ActivityPatch",
    "AvailabilityOut", "BundleItemIn", "BundleItemOut", "BundleTypeIn", "BundleTypeOut",
    "BundleTypePatch", "CalendarQuery", "CancellationIn", "CancellationOut", "DateOrDateTime",
    "DivisionIn", "DivisionOut", "FeeIn", "FeePolicyIn", "MAX_AMOUNT", "MAX_CAPACITY",
    "MAX_DURATION", "MAX_MINUTES", "MembershipTypeIn", "MembershipTypeOut",
    "MembershipTypePatch", "OccurrenceAvailabilityOut", "OccurrenceIn", "OrgIn", "OrgOut",
    "OrgPatch", "PageQuery", "Partial", "PassTypeIn", "PassTypeOut", "PassTypePatch",
    "ProgramIn", "ProgramOut", "RangeQuery", "RestrictionsIn", "RestrictionsOut", "ScheduleIn",
    "ScheduleOut", "SeatConversionIn", "SeatConversionOut", "ServiceIn", "ServiceOut",
    "ServicePatch", "SessionCancellationIn", "SessionIn", "SessionOut", "SlotIn", "SlotOut",
    "SubscriptionPlanIn", "SubscriptionPlanOut", "SubscriptionPlanPatch", "TaxIn", "TaxOut",
    "TaxRulesIn", "TermsQuery", "page_of",
]
