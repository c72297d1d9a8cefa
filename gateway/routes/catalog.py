"""docs/http-api.md routes: catalog (admin writes; every role of the org reads).

Thin on purpose: the catalog service's contract schemas validate the request (400
``validation_error`` with field details) and document the answer; the service does the
rest. Availability composes two answers: the catalog's occurrences (capacity, window,
status) and the registration service's seat counts (one ``seat_counts`` call per request,
for every occurrence listed).
"""
from marshmallow import fields

from services.catalog.contract import schemas as s

from ..auth import authorize
from ..idempotency import idempotent
from ..rpc import call
from .blueprint import Blueprint

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


def _sold(path, kind, id_name, schema_in, schema_out, page, create_doc):
    """The same three routes for programs and the things the org sells: create one
    (admins), list them and read one (every role of the org). ``id_name`` names the path parameter (it is part of
    the OpenAPI document)."""

    def create(data, org):
        return call("catalog", f"create_{kind}", org, _body(schema_in, data))

    def list_(query, org):
        return call("catalog", f"list_{kind}s", org, **query)

    def get(org, **ids):
        return call("catalog", f"get_{kind}", org, ids[id_name])

    create.__name__, create.__doc__ = f"create_{kind}", create_doc
    list_.__name__, get.__name__ = f"list_{kind}s", f"get_{kind}"
    blp.route(f"/orgs/<org>/{path}", methods=["POST"])(authorize("admin")(
        blp.arguments(schema_in)(blp.response(201, schema_out)(create))))
    blp.route(f"/orgs/<org>/{path}", methods=["GET"])(authorize()(
        blp.arguments(s.PageQuery, location="query")(blp.response(200, page)(list_))))
    if kind == "pass_type":  # its own GET, with ?terms_version= (below)
        return
    blp.route(f"/orgs/<org>/{path}/<{id_name}>", methods=["GET"])(authorize()(
        blp.response(200, schema_out)(get)))


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

_sold("programs", "program", "program_id", s.ProgramIn, s.ProgramOut, ProgramPage,
      "Create a program, which groups activities (R2.1).")


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

_sold("services", "service", "service_id", s.ServiceIn, s.ServiceOut, ServicePage,
      "A service of the salon agenda (R2.10).")
_sold("pass-types", "pass_type", "pass_type_id", s.PassTypeIn, s.PassTypeOut, PassTypePage,
      "A pass type (R2.8); its terms start at version 1.")


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


_sold("bundle-types", "bundle_type", "bundle_type_id", s.BundleTypeIn, s.BundleTypeOut,
      BundleTypePage, "A bundle type (R2.11): each division's price defaults to the sum of "
      "its services'\n    prices × counts, unless given.")
_sold("membership-types", "membership_type", "membership_type_id", s.MembershipTypeIn,
      s.MembershipTypeOut, MembershipTypePage,
      "A membership type (R2.12), which activities may require (R2.7).")
_sold("subscription-plans", "subscription_plan", "plan_id", s.SubscriptionPlanIn,
      s.SubscriptionPlanOut, SubscriptionPlanPage,
      "A monthly subscription plan including activities (R2.13).")


# -- the shop's public read (docs/shop.md) -------------------------------------------------------
# A web shop shows the catalog before anyone logs in: these routes answer without a token
# (a token of the org is still accepted). They are reads of what the routes above return,
# nothing private: no account, no registration, no count per person.

class ShopSessionOut(s.SessionOut):
    taken = fields.Integer(metadata={"description": "session seats confirmed or held"})
    available = fields.Integer(metadata={"description": "session seats left"})


class ShopActivityOut(s.ActivityOut):
    session = fields.Nested(ShopSessionOut)


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


def _shop_list(path, method, page, doc):
    """Public: a list the routes above also give, under ``/shop``."""

    def view(query, org):
        return call("catalog", method, org, **query)

    view.__name__, view.__doc__ = f"shop_{path.replace('-', '_')}", doc
    blp.route(f"/orgs/<org>/shop/{path}", methods=["GET"])(authorize(public=True)(
        blp.doc(security=[{}, {"bearerAuth": []}])(blp.arguments(s.PageQuery, location="query")(
            blp.response(200, page)(view)))))


@blp.route("/orgs/<org>/shop", methods=["GET"])
@authorize(public=True)
@blp.doc(security=[{}, {"bearerAuth": []}])
@blp.response(200, s.OrgOut)
def shop_org(org):
    """Public: the organisation as its shop shows it (name, timezone, currency, locale)."""
    return call("catalog", "get_org", org)


_shop_list("programs", "list_programs", ProgramPage, "Public: the org's programs.")


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


_shop_list("pass-types", "list_pass_types", PassTypePage, "Public: the pass types on sale.")
_shop_list("membership-types", "list_membership_types", MembershipTypePage,
           "Public: the membership types on sale.")
_shop_list("subscription-plans", "list_subscription_plans", SubscriptionPlanPage,
           "Public: the monthly subscription plans on sale.")
