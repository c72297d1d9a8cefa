"""API.md routes: catalog (admin writes; every role of the org reads).

Thin on purpose: the catalog service's contract schemas validate the request (400
``validation_error`` with field details) and document the answer; the service does the
rest. Availability composes two answers: the catalog's occurrences (capacity, window,
status) and the registration service's seat counts (one ``seat_counts`` call per request,
for every occurrence listed).
"""
from flask_smorest import Blueprint

from services.catalog.contract import schemas as s

from ..auth import authorize
from ..idempotency import idempotent
from ..rpc import call

blp = Blueprint("catalog", __name__, url_prefix="/api/v1", description="catalog")

ProgramPage = s.page_of(s.ProgramOut, "ProgramPage")
ActivityPage = s.page_of(s.ActivityOut, "ActivityPage")
OccurrencePage = s.page_of(s.OccurrenceAvailabilityOut, "OccurrencePage")
ServicePage = s.page_of(s.ServiceOut, "ServicePage")
PassTypePage = s.page_of(s.PassTypeOut, "PassTypePage")
BundleTypePage = s.page_of(s.BundleTypeOut, "BundleTypePage")
MembershipTypePage = s.page_of(s.MembershipTypeOut, "MembershipTypePage")
SubscriptionPlanPage = s.page_of(s.SubscriptionPlanOut, "SubscriptionPlanPage")


def _body(schema_cls, data):
    """The validated request body as JSON again, for the RPC (dates back to strings)."""
    return schema_cls().dump(data)


def with_availability(occurrence, taken=0):
    """An occurrence with its à la carte seats: ``taken`` (confirmed + live holds) comes
    from the registration service. The catalog already said whether status, offer and
    window allow booking; no seat left is ``sold_out``."""
    alc = occurrence["a_la_carte"]
    capacity = alc.get("capacity") or 0
    available = max(capacity - taken, 0)
    bookable, reason = alc.get("bookable", False), alc.get("reason")
    if bookable and available == 0:
        bookable, reason = False, "sold_out"
    return dict(occurrence, a_la_carte=dict(alc, taken=taken, available=available,
                                            bookable=bookable, reason=reason))


def _taken(org, occurrences):
    """``{occurrence_id: à la carte seats taken}``, in one call to the registration
    service."""
    if not occurrences:
        return {}
    counts = call("registration", "seat_counts", org,
                  {o["id"]: o["activity_id"] for o in occurrences})
    return {i: c.get("a_la_carte_taken", 0) for i, c in counts.items()}


def _available(org, occurrence):
    return with_availability(occurrence, _taken(org, [occurrence]).get(occurrence["id"], 0))


def _occurrence_page(org, result):
    taken = _taken(org, result["items"])
    return {"items": [with_availability(o, taken.get(o["id"], 0)) for o in result["items"]],
            "next_cursor": result.get("next_cursor")}


# -- the org -----------------------------------------------------------------------------------

@blp.route("/orgs/<org>", methods=["GET"])
@authorize()
@blp.response(200, s.OrgOut)
def get_org(org):
    """The organisation: name, timezone, currency, locale (R1.1)."""
    return call("catalog", "get_org", org)


@blp.route("/orgs/<org>", methods=["PATCH"])
@authorize("admin")
@blp.arguments(s.OrgPatch)
@blp.response(200, s.OrgOut)
def update_org(patch, org):
    """Change the org's name, locale, address and tax settings (R7.1):
    ``prices_include_tax`` and ``taxes: [{code, name, rate: "9.975", registration_number}]``
    (the list replaces the org's). Sellable things accept ``tax_codes`` (null: all the org's
    taxes; ``[]``: exempt). The timezone and currency do not change."""
    return call("catalog", "update_org", org, _body(s.OrgPatch, patch))


# -- programs ------------------------------------------------------------------------------------

@blp.route("/orgs/<org>/programs", methods=["POST"])
@authorize("admin")
@blp.arguments(s.ProgramIn)
@blp.response(201, s.ProgramOut)
def create_program(data, org):
    """Create a program, which groups activities (R2.1)."""
    return call("catalog", "create_program", org, _body(s.ProgramIn, data))


@blp.route("/orgs/<org>/programs", methods=["GET"])
@authorize()
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, ProgramPage)
def list_programs(query, org):
    return call("catalog", "list_programs", org, **query)


@blp.route("/orgs/<org>/programs/<program_id>", methods=["GET"])
@authorize()
@blp.response(200, s.ProgramOut)
def get_program(org, program_id):
    return call("catalog", "get_program", org, program_id)


# -- activities ----------------------------------------------------------------------------------

@blp.route("/orgs/<org>/activities", methods=["POST"])
@authorize("admin")
@blp.arguments(s.ActivityIn)
@blp.response(201, s.ActivityOut)
def create_activity(data, org):
    """Create an activity; its schedule produces its occurrences in the org's local time
    (R2.1, R1.4)."""
    return call("catalog", "create_activity", org, _body(s.ActivityIn, data))


@blp.route("/orgs/<org>/activities", methods=["GET"])
@authorize()
@blp.arguments(s.ActivitiesQuery, location="query")
@blp.response(200, ActivityPage)
def list_activities(query, org):
    return call("catalog", "list_activities", org, **query)


@blp.route("/orgs/<org>/activities/<activity_id>", methods=["GET"])
@authorize()
@blp.response(200, s.ActivityOut)
def get_activity(org, activity_id):
    return call("catalog", "get_activity", org, activity_id)


@blp.route("/orgs/<org>/activities/<activity_id>", methods=["PATCH"])
@authorize("admin")
@blp.arguments(s.ActivityPatch)
@blp.response(200, s.ActivityOut)
def update_activity(patch, org, activity_id):
    """Change an activity. Nested objects are merged; a schedule change regenerates the
    future occurrences, keeping those whose start does not change (and their ids)."""
    return call("catalog", "update_activity", org, activity_id, _body(s.ActivityPatch, patch))


@blp.route("/orgs/<org>/activities/<activity_id>/occurrences", methods=["GET"])
@authorize()
@blp.arguments(s.RangeQuery, location="query")
@blp.response(200, OccurrencePage)
def list_occurrences(query, org, activity_id):
    """The activity's occurrences starting in [from, to), with à la carte availability."""
    return _occurrence_page(org, call("catalog", "list_occurrences", org, activity_id, **query))


@blp.route("/orgs/<org>/activities/<activity_id>/occurrences", methods=["POST"])
@authorize("admin")
@blp.arguments(s.OccurrenceIn)
@blp.response(201, s.OccurrenceAvailabilityOut)
def add_occurrence(data, org, activity_id):
    """Add a single occurrence outside the schedule (R2.1)."""
    return with_availability(call("catalog", "add_occurrence", org, activity_id,
                                  _body(s.OccurrenceIn, data)))  # new: nothing taken yet


@blp.route("/orgs/<org>/occurrences/<occurrence_id>", methods=["GET"])
@authorize()
@blp.response(200, s.OccurrenceAvailabilityOut)
def get_occurrence(org, occurrence_id):
    return _available(org, call("catalog", "get_occurrence", org, occurrence_id))


@blp.route("/orgs/<org>/occurrences/<occurrence_id>/cancel", methods=["POST"])
@authorize("admin")
@idempotent
@blp.response(200, s.OccurrenceAvailabilityOut)
def cancel_occurrence(org, occurrence_id):
    """Cancel one occurrence (R2.1); cancelling it again changes nothing."""
    return _available(org, call("catalog", "cancel_occurrence", org, occurrence_id))


@blp.route("/orgs/<org>/activities/<activity_id>/seat-conversions", methods=["POST"])
@authorize("admin")
@idempotent
@blp.arguments(s.SeatConversionIn)
@blp.response(200, s.SeatConversionOut)
def convert_seats(data, org, activity_id):
    """R2.6: ``seats`` unsold session seats become à la carte seats: the session capacity
    drops by that many and every future occurrence's à la carte capacity rises by as many.
    More than the unsold session seats: 409 ``not_enough_unsold_seats``."""
    return call("catalog", "convert_seats", org, activity_id, _body(s.SeatConversionIn, data))


@blp.route("/orgs/<org>/calendar", methods=["GET"])
@authorize()
@blp.arguments(s.CalendarQuery, location="query")
@blp.response(200, OccurrencePage)
def calendar(query, org):
    """The shop's calendar: scheduled occurrences with à la carte enabled, across activities,
    starting in [from, to), with availability."""
    return _occurrence_page(org, call("catalog", "calendar", org, **query))


# -- services, pass types, bundles, memberships, subscriptions ------------------------------------

@blp.route("/orgs/<org>/services", methods=["POST"])
@authorize("admin")
@blp.arguments(s.ServiceIn)
@blp.response(201, s.ServiceOut)
def create_service(data, org):
    """A service of the salon agenda (R2.10)."""
    return call("catalog", "create_service", org, _body(s.ServiceIn, data))


@blp.route("/orgs/<org>/services", methods=["GET"])
@authorize()
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, ServicePage)
def list_services(query, org):
    return call("catalog", "list_services", org, **query)


@blp.route("/orgs/<org>/services/<service_id>", methods=["GET"])
@authorize()
@blp.response(200, s.ServiceOut)
def get_service(org, service_id):
    return call("catalog", "get_service", org, service_id)


@blp.route("/orgs/<org>/pass-types", methods=["POST"])
@authorize("admin")
@blp.arguments(s.PassTypeIn)
@blp.response(201, s.PassTypeOut)
def create_pass_type(data, org):
    """A pass type (R2.8); its terms start at version 1."""
    return call("catalog", "create_pass_type", org, _body(s.PassTypeIn, data))


@blp.route("/orgs/<org>/pass-types", methods=["GET"])
@authorize()
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, PassTypePage)
def list_pass_types(query, org):
    return call("catalog", "list_pass_types", org, **query)


@blp.route("/orgs/<org>/pass-types/<pass_type_id>", methods=["PATCH"])
@authorize("admin")
@blp.arguments(s.PassTypePatch)
@blp.response(200, s.PassTypeOut)
def update_pass_type(patch, org, pass_type_id):
    """Edit a pass type: a new terms version for future sales; passes already sold keep
    theirs (R2.9)."""
    return call("catalog", "update_pass_type", org, pass_type_id, _body(s.PassTypePatch, patch))


@blp.route("/orgs/<org>/pass-types/<pass_type_id>", methods=["GET"])
@authorize()
@blp.arguments(s.TermsQuery, location="query")
@blp.response(200, s.PassTypeOut)
def get_pass_type(query, org, pass_type_id):
    """The pass type with its current terms, or with ``?terms_version=`` a past version."""
    return call("catalog", "get_pass_type_terms", org, pass_type_id,
                query.get("terms_version"))


@blp.route("/orgs/<org>/bundle-types", methods=["POST"])
@authorize("admin")
@blp.arguments(s.BundleTypeIn)
@blp.response(201, s.BundleTypeOut)
def create_bundle_type(data, org):
    """A bundle type (R2.11): each division's price defaults to the sum of its services'
    prices × counts, unless given."""
    return call("catalog", "create_bundle_type", org, _body(s.BundleTypeIn, data))


@blp.route("/orgs/<org>/bundle-types", methods=["GET"])
@authorize()
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, BundleTypePage)
def list_bundle_types(query, org):
    return call("catalog", "list_bundle_types", org, **query)


@blp.route("/orgs/<org>/bundle-types/<bundle_type_id>", methods=["GET"])
@authorize()
@blp.response(200, s.BundleTypeOut)
def get_bundle_type(org, bundle_type_id):
    return call("catalog", "get_bundle_type", org, bundle_type_id)


@blp.route("/orgs/<org>/membership-types", methods=["POST"])
@authorize("admin")
@blp.arguments(s.MembershipTypeIn)
@blp.response(201, s.MembershipTypeOut)
def create_membership_type(data, org):
    """A membership type (R2.12), which activities may require (R2.7)."""
    return call("catalog", "create_membership_type", org, _body(s.MembershipTypeIn, data))


@blp.route("/orgs/<org>/membership-types", methods=["GET"])
@authorize()
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, MembershipTypePage)
def list_membership_types(query, org):
    return call("catalog", "list_membership_types", org, **query)


@blp.route("/orgs/<org>/membership-types/<membership_type_id>", methods=["GET"])
@authorize()
@blp.response(200, s.MembershipTypeOut)
def get_membership_type(org, membership_type_id):
    return call("catalog", "get_membership_type", org, membership_type_id)


@blp.route("/orgs/<org>/subscription-plans", methods=["POST"])
@authorize("admin")
@blp.arguments(s.SubscriptionPlanIn)
@blp.response(201, s.SubscriptionPlanOut)
def create_subscription_plan(data, org):
    """A monthly subscription plan including activities (R2.13)."""
    return call("catalog", "create_subscription_plan", org, _body(s.SubscriptionPlanIn, data))


@blp.route("/orgs/<org>/subscription-plans", methods=["GET"])
@authorize()
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, SubscriptionPlanPage)
def list_subscription_plans(query, org):
    return call("catalog", "list_subscription_plans", org, **query)


@blp.route("/orgs/<org>/subscription-plans/<plan_id>", methods=["GET"])
@authorize()
@blp.response(200, s.SubscriptionPlanOut)
def get_subscription_plan(org, plan_id):
    return call("catalog", "get_subscription_plan", org, plan_id)


# -- the shop's public read (docs/shop.md) -------------------------------------------------------
# A web shop shows the catalog before anyone logs in: these routes answer without a token
# (a token of the org is still accepted). They are reads of what the routes above return,
# nothing private: no account, no registration, no count per person.

class ShopSessionOut(s.SessionOut):
    taken = s.fields.Integer(metadata={"description": "session seats confirmed or held"})
    available = s.fields.Integer(metadata={"description": "session seats left"})


class ShopActivityOut(s.ActivityOut):
    session = s.fields.Nested(ShopSessionOut)


ShopActivityPage = s.page_of(ShopActivityOut, "ShopActivityPage")


def with_session_seats(org, activities):
    """Each activity's session pool with its seats taken and left, in one call to the
    registration service (``seat_counts`` keyed by the activity itself: its session pool is
    ``session:<activity_id>``)."""
    enabled = {a["id"]: a["id"] for a in activities if (a.get("session") or {}).get("enabled")}
    counts = call("registration", "seat_counts", org, enabled) if enabled else {}
    out = []
    for activity in activities:
        session = dict(activity.get("session") or {})
        if activity["id"] in counts:
            taken = counts[activity["id"]].get("session_taken", 0)
            session.update(taken=taken, available=max((session.get("capacity") or 0) - taken, 0))
        out.append(dict(activity, session=session))
    return out


@blp.route("/orgs/<org>/shop", methods=["GET"])
@authorize(public=True)
@blp.doc(security=[{}, {"bearerAuth": []}])
@blp.response(200, s.OrgOut)
def shop_org(org):
    """Public: the organisation as its shop shows it (name, timezone, currency, locale)."""
    return call("catalog", "get_org", org)


@blp.route("/orgs/<org>/shop/programs", methods=["GET"])
@authorize(public=True)
@blp.doc(security=[{}, {"bearerAuth": []}])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, ProgramPage)
def shop_programs(query, org):
    """Public: the org's programs."""
    return call("catalog", "list_programs", org, **query)


@blp.route("/orgs/<org>/shop/activities", methods=["GET"])
@authorize(public=True)
@blp.doc(security=[{}, {"bearerAuth": []}])
@blp.arguments(s.ActivitiesQuery, location="query")
@blp.response(200, ShopActivityPage)
def shop_activities(query, org):
    """Public: the org's activities, each session pool with ``taken`` and ``available``."""
    page = call("catalog", "list_activities", org, **query)
    return {"items": with_session_seats(org, page["items"]),
            "next_cursor": page.get("next_cursor")}


@blp.route("/orgs/<org>/shop/activities/<activity_id>/occurrences", methods=["GET"])
@authorize(public=True)
@blp.doc(security=[{}, {"bearerAuth": []}])
@blp.arguments(s.RangeQuery, location="query")
@blp.response(200, OccurrencePage)
def shop_occurrences(query, org, activity_id):
    """Public: the activity's occurrences starting in [from, to), with à la carte
    availability (as ``GET …/activities/{id}/occurrences``)."""
    return _occurrence_page(org, call("catalog", "list_occurrences", org, activity_id, **query))


@blp.route("/orgs/<org>/shop/pass-types", methods=["GET"])
@authorize(public=True)
@blp.doc(security=[{}, {"bearerAuth": []}])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, PassTypePage)
def shop_pass_types(query, org):
    """Public: the pass types on sale."""
    return call("catalog", "list_pass_types", org, **query)


@blp.route("/orgs/<org>/shop/membership-types", methods=["GET"])
@authorize(public=True)
@blp.doc(security=[{}, {"bearerAuth": []}])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, MembershipTypePage)
def shop_membership_types(query, org):
    """Public: the membership types on sale."""
    return call("catalog", "list_membership_types", org, **query)


@blp.route("/orgs/<org>/shop/subscription-plans", methods=["GET"])
@authorize(public=True)
@blp.doc(security=[{}, {"bearerAuth": []}])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, SubscriptionPlanPage)
def shop_subscription_plans(query, org):
    """Public: the monthly subscription plans on sale."""
    return call("catalog", "list_subscription_plans", org, **query)
