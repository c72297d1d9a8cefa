"""R7.2 and subscriptions: a renewal is taxed with its plan's taxes at renewal time (the
org's rates then), and a seat paid with the subscription carries no second tax."""
from tests.api import test_checkout_support as shop
from tests.api.test_taxes_checkout import QUEBEC_TAXES, Shop, amounts


def test_a_renewal_is_taxed_at_the_rates_in_force_when_it_renews(new_org, api):
    centre = Shop(new_org(name="Centre Abonnements", timezone="America/Montreal"), api,
                  "America/Montreal")
    centre.settings(taxes=QUEBEC_TAXES)
    activity, _ = shop.setup_activity(centre.admin, centre.org)
    occurrence = centre.admin.ok("POST", centre.path(f"/activities/{activity['id']}/occurrences"),
                                 json={"starts_at": "2027-02-10T15:00:00Z",
                                       "duration_minutes": 45})
    plan = centre.admin.ok("POST", centre.path("/subscription-plans"), json={
        "name": "Natation illimitée", "monthly_price": 4000, "activity_ids": [activity["id"]],
        "accounting_code": "4500"})
    centre.admin.ok("PUT", centre.path("/test-clock"), json={"now": "2027-01-31T15:00:00Z"})
    try:
        account, _ = centre.customer()
        member = account["members"][0]
        invoice = centre.checkout(account, [{"type": "subscription", "member_id": member["id"],
                                             "plan_id": plan["id"]}])
        # 40.00 + GST 2.00 + QST 3.99 (40.00 × 9.975 % = 3.99)
        assert (invoice["subtotal"], amounts(invoice["taxes"]), invoice["total"]) == \
            (4000, [("GST", 200), ("QST", 399)], 4599)
        assert [p["amount"] for p in invoice["payments"]] == [4599]

        # a seat paid with the subscription: price 0, no tax
        seat = centre.checkout(account, [{"type": "a_la_carte", "member_id": member["id"],
                                          "occurrence_id": occurrence["id"]}])
        assert [(l["paid_with"], l["amount"], l["taxes"]) for l in seat["lines"]] == \
            [("subscription", 0, [])]
        assert (seat["total"], seat["taxes"]) == (0, [])

        # QST goes up before the renewal: the renewal pays the rate in force then
        taxes = [dict(QUEBEC_TAXES[0]), dict(QUEBEC_TAXES[1], rate="10")]
        centre.settings(taxes=taxes)
        centre.admin.ok("PUT", centre.path("/test-clock"), json={"now": "2027-02-28T15:00:00Z"})
        run = centre.admin.ok("POST", centre.path("/billing-runs"),
                              json={"as_of": "2027-02-28T15:00:00Z"})
        assert run["charged"] == 1, run
        subscriptions = centre.staff.ok("GET", centre.path(
            f"/accounts/{account['id']}/subscriptions"))["items"]
        renewal_id = [c["invoice_id"] for c in subscriptions[0]["charges"]
                      if c["period_index"] == 1][0]
        renewal = centre.staff.ok("GET", centre.path(f"/invoices/{renewal_id}"))
        assert (renewal["subtotal"], amounts(renewal["taxes"]), renewal["total"]) == \
            (4000, [("GST", 200), ("QST", 400)], 4600)
        assert amounts(renewal["lines"][0]["taxes"]) == [("GST", 200), ("QST", 400)]
        assert [(p["method"], p["amount"]) for p in renewal["payments"]] == [("card", 4600)]
        # the first invoice keeps the rate it was sold at
        first = centre.staff.ok("GET", centre.path(f"/invoices/{invoice['id']}"))
        assert [t.get("rate") for t in first["taxes"]] == ["5", "9.975"]
    finally:
        centre.admin.ok("DELETE", centre.path("/test-clock"))
