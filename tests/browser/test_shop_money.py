"""The shop in an English-speaking org: the org's locale is the default language; why an
activity cannot be booked (not open yet, closed, pass holders only, membership); a whole
session, a drop-in class, a membership and a subscription in one cart paid by card; then a
drop-in cancelled to account credit (said before it is done), the credit paying the next
class, a session registration that cannot be cancelled online, and a subscription
withdrawn (active until the end of the paid month)."""
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from services.common.config import ROOT

expect.set_options(timeout=15_000)
PASSWORD = "correct horse battery"
THANKS = "Thank you! Your purchase is confirmed."


class Org:
    def __init__(self, org_id, admin):
        self.id, self.admin = org_id, admin

    def path(self, suffix=""):
        return f"/orgs/{self.id}{suffix}"


@pytest.fixture(scope="module")
def studio(test_env, api):
    """An org whose locale is English (``carnet bootstrap --locale en``)."""
    result = subprocess.run(
        [sys.executable, "-m", "carnet.cli", "bootstrap", "--org", "Studio Plateau",
         "--timezone", "America/Montreal", "--currency", "CAD", "--locale", "en", "--json"],
        cwd=ROOT, env=dict(os.environ, **test_env.env), capture_output=True, text=True,
        timeout=60)
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    token = api.ok("POST", "/auth/token", json={"api_key": created["api_key"]})["token"]
    org = Org(created["org_id"], api.with_token(token))
    admin = org.admin
    start = datetime.now(ZoneInfo("America/Montreal")).date() + timedelta(days=2)
    program = admin.ok("POST", org.path("/programs"), json={"name": "Spring"})
    admin.ok("POST", org.path("/activities"), json={
        "program_id": program["id"], "name": "Yoga", "accounting_code": "4200",
        "schedule": {"start_date": start.isoformat(),
                     "end_date": (start + timedelta(days=6)).isoformat(),
                     "slots": [{"weekday": d, "start_time": "18:00", "duration_minutes": 60}
                               for d in range(7)]},
        "session": {"enabled": True, "price": 8000, "capacity": 5},
        "a_la_carte": {"enabled": True, "price": 1500, "capacity": 5, "closes_minutes_before": 0,
                       "cancellation": {"allowed": True, "deadline_minutes_before": 60}}})
    member = admin.ok("POST", org.path("/membership-types"), json={
        "name": "Studio member", "price": 2500, "duration_days": 365, "accounting_code": "4800"})
    now = datetime.now(ZoneInfo("UTC")).replace(microsecond=0)
    admin.ok("POST", org.path("/activities"), json={
        "program_id": program["id"], "name": "Aquafit", "accounting_code": "4200",
        "session": {"enabled": True, "price": 5000, "capacity": 5,
                    "opens_at": (now + timedelta(days=10)).isoformat()},
        "a_la_carte": {"enabled": True, "price": 1000, "capacity": 5, "pass_only": True}})
    admin.ok("POST", org.path("/activities"), json={
        "program_id": program["id"], "name": "Masters", "accounting_code": "4200",
        "restrictions": {"membership_type_ids": [member["id"]]},
        "session": {"enabled": True, "price": 5000, "capacity": 5,
                    "closes_at": (now - timedelta(days=1)).isoformat()}})
    pilates = admin.ok("POST", org.path("/activities"), json={
        "program_id": program["id"], "name": "Pilates", "accounting_code": "4200",
        "a_la_carte": {"enabled": True, "price": 1500, "capacity": 5}})
    admin.ok("POST", org.path("/subscription-plans"), json={
        "name": "Pilates monthly", "monthly_price": 4000, "activity_ids": [pilates["id"]],
        "accounting_code": "4700"})
    return org


def test_credit_session_membership_subscription(studio, open_page, api):
    email = f"{uuid.uuid4().hex[:10]}@example.org"
    api.ok("POST", studio.path("/accounts"), json={
        "email": email, "password": PASSWORD, "name": "Smith",
        "members": [{"first_name": "Ann", "last_name": "Smith", "birth_date": "1990-06-01"}]})
    page = open_page(f"/shop/{studio.id}", lang="en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Studio Plateau — shop")
    aquafit = page.locator("article.activity", has_text="Aquafit")
    expect(aquafit).to_contain_text("Registration opens")
    expect(aquafit).to_contain_text("Pass holders only")
    masters = page.locator("article.activity", has_text="Masters")
    expect(masters).to_contain_text("Registration closed")
    expect(masters).to_contain_text("Membership required: Studio member")
    page.get_by_role("navigation").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#main .flash")).to_have_text("Welcome, Smith!")

    for product in ("Studio member", "Pilates monthly"):
        card = page.locator("article", has=page.get_by_role("heading", name=product))
        card.get_by_role("button", name="Add to cart").click()
        expect(card.get_by_text("Added to the cart.")).to_be_visible()

    page.get_by_role("link", name="Choose dates: Yoga").click()
    page.get_by_role("button", name="Register Ann Smith for the session").click()
    expect(page.locator("#main .flash")).to_have_text("Ann Smith: added to the cart.")
    page.locator(".calendar .day.available").first.click()
    page.locator(".selected-day button.add").click()
    expect(page.locator(".selected-day").get_by_text("✓ In the cart")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name=re.compile("^Cart")).click()
    expect(page.locator("li[data-item]")).to_have_count(4)
    expect(page.locator("#cart-total")).to_have_text("$160.00")
    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_role("button", name="Pay $160.00").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS)
    expect(page.locator("tbody tr")).to_have_count(4)
    expect(page.locator("tbody")).to_contain_text("card")

    page.get_by_role("link", name="My purchases").first.click()
    regs = page.locator("li[data-registration]")
    expect(regs).to_have_count(2)
    session = regs.filter(has_text="whole session")
    session.get_by_role("button", name="Cancel").click()
    expect(session.locator(".confirm-box")).to_contain_text("cannot be cancelled online")
    expect(session.get_by_role("button", name="Confirm the cancellation")).to_have_count(0)

    drop_in = regs.filter(has_not_text="whole session")
    drop_in.get_by_role("button", name="Cancel").click()
    expect(drop_in.locator(".confirm-box")).to_contain_text("$15.00 will go to your account credit")
    drop_in.get_by_role("button", name="Confirm the cancellation").click()
    expect(page.locator("#main .flash")).to_contain_text("Cancelled.")
    expect(page.locator("#credit-balance")).to_have_text("$15.00")

    subscription = page.locator("section", has=page.get_by_role("heading", name="Subscriptions"))
    subscription.get_by_role("button", name="Withdraw").click()
    expect(subscription.locator(".confirm-box")).to_contain_text("stays active until")
    subscription.get_by_role("button", name="Confirm withdrawal").click()
    expect(page.locator("#main .flash")).to_contain_text("Withdrawal recorded")
    expect(subscription).to_contain_text("ends")
    expect(subscription.get_by_role("button", name="Withdraw")).to_have_count(0)

    # the credit pays the next class
    page.get_by_role("navigation").get_by_role("link", name="Activities").click()
    page.get_by_role("link", name="Choose dates: Yoga").click()
    page.locator(".calendar .day.available").last.click()
    page.locator(".selected-day button.add").click()
    expect(page.locator(".selected-day").get_by_text("✓ In the cart")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name=re.compile("^Cart")).click()
    page.get_by_role("button", name="Pay $15.00 with my credit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS)
    expect(page.locator("tbody")).to_contain_text("account credit")
