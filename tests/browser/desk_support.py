"""Helpers shared by the desk's browser tests: an org, its keys, logging in on the page."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


class Desk:
    """One org for a test module, with an admin and a staff key (the staff key as an admin
    creates it through the API)."""

    def __init__(self, api, new_org, name, timezone, currency):
        org = new_org(name, timezone, currency)
        self.id, self.admin_key, self.admin = org.id, org.api_key, org.admin
        self.timezone = timezone
        self.staff_key = self.admin.ok("POST", self.path("/api-keys"),
                                       json={"role": "staff", "name": "counter"})["api_key"]
        self.state = {}

    def path(self, suffix=""):
        return f"/orgs/{self.id}{suffix}"

    def local_iso(self, days, hhmm):
        day = datetime.now(ZoneInfo(self.timezone)).date() + timedelta(days=days)
        hour, minute = map(int, hhmm.split(":"))
        return datetime(day.year, day.month, day.day, hour, minute,
                        tzinfo=ZoneInfo(self.timezone)).isoformat()

    def local_date(self, days=0):
        return (datetime.now(ZoneInfo(self.timezone)).date() + timedelta(days=days)).isoformat()


def login(open_page, desk, key, lang="fr", phone=False, hash_=""):
    page = open_page(f"/desk/{desk.id}{hash_}", lang=lang, phone=phone)
    label = "Clé d'API" if lang == "fr" else "API key"
    page.get_by_label(label).fill(key)
    page.get_by_role("button", name=re.compile("Se connecter|Sign in")).click()
    page.get_by_role("navigation", name=re.compile("^(Rubriques|Sections)$")).wait_for()
    if lang == "en" and page.evaluate("document.documentElement.lang") != "en":
        switch_to_english(page)  # the org's locale (fr) is the default after signing in
    if hash_:
        page.evaluate(f"location.hash = {hash_!r}")
    return page


def switch_to_english(page):
    page.get_by_role("button", name="Switch to English").click()
    page.get_by_role("button", name="Passer en français").wait_for()
