"""The pages (the shop and the front desk) are static files under ``web/``: plain HTML,
CSS and JavaScript with no build step, clients of the public API like any third-party
shop. The gateway only serves the files; it has no route of its own for them.

- ``/shop/<org_id>`` and ``/desk/<org_id>``: the app's ``index.html`` (one stable address
  per org; the page reads the org id from its own URL).
- ``/web/<path>``: every other file (scripts, styles, translations, vendored libraries).
- ``/docs/swagger-ui/<file>``: Swagger UI's own files for ``/docs`` (flask-smorest renders the
  page; its scripts and styles come from here, not from a CDN), shipped by the pinned
  ``swagger-ui-bundle-v2`` package (swagger-ui-dist, Apache-2.0).
"""
from pathlib import Path

from flask import Blueprint, abort, send_from_directory
from swagger_ui_bundle import swagger_ui_path

WEB = Path(__file__).resolve().parents[1] / "web"
APPS = ("shop", "desk")
SWAGGER_UI = Path(str(swagger_ui_path))
SWAGGER_UI_URL = "/docs/swagger-ui/"  # OPENAPI_SWAGGER_UI_URL (gateway/app.py)

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


@pages.get(SWAGGER_UI_URL + "<name>")
def swagger_ui(name):
    response = send_from_directory(SWAGGER_UI, name, max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _index(app):
    if not (WEB / app / "index.html").is_file():
        abort(404)
    response = send_from_directory(WEB / app, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
