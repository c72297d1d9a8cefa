"""The pages (the shop and the front desk) are static files under ``web/``: plain HTML,
CSS and JavaScript with no build step, clients of the public API like any third-party
shop. The gateway only serves the files; it has no route of its own for them.

- ``/shop/<org_id>`` and ``/desk/<org_id>``: the app's ``index.html`` (one stable address
  per org; the page reads the org id from its own URL).
- ``/web/<path>``: every other file (scripts, styles, translations, vendored libraries).
"""
from pathlib import Path

from flask import Blueprint, abort, send_from_directory

WEB = Path(__file__).resolve().parents[1] / "web"
APPS = ("shop", "desk")

pages = Blueprint("pages", __name__)


@pages.get("/shop/<org_id>")
@pages.get("/shop/<org_id>/")
def shop(org_id):
    return _index("shop")


@pages.get("/desk/<org_id>")
@pages.get("/desk/<org_id>/")
def desk(org_id):
    return _index("desk")


@pages.get("/web/<path:path>")
def asset(path):
    response = send_from_directory(WEB, path, max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _index(app):
    if not (WEB / app / "index.html").is_file():
        abort(404)
    response = send_from_directory(WEB / app, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
