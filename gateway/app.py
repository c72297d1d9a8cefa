"""The Flask gateway: docs/http-api.md over HTTP, RPC to the services behind it. Thin on
purpose: authenticate, validate with the contract's schema, call a service, shape the answer."""
import logging
import time

from flask import Flask, g, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from services.common.errors import CarnetError

from . import errors, limits, metrics, observability
from .pages import SWAGGER_UI_URL, pages
from .routes import ROUTES

log = logging.getLogger(__name__)


class CarnetApi(Api):
    """flask-smorest, with the API's error envelope for every HTTP error (validation
    failures become 400 ``validation_error`` with field details)."""

    ERROR_SCHEMA = errors.ErrorEnvelope

    def handle_http_exception(self, error):
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        messages = data.get("messages")
        if messages is not None or status == 422:
            details = {}
            for location_messages in (messages or {}).values():
                if isinstance(location_messages, dict):
                    details.update(location_messages)
            return errors.envelope(400, "validation_error", "the request is not valid", details)
        if status == 400:
            return errors.envelope(400, "validation_error",
                                   "the request body is not valid JSON", {"body": ["invalid JSON"]})
        code = errors.CODE_BY_STATUS.get(status, "error")
        return errors.envelope(status, code, error.description or code)


def create_app():
    app = Flask(__name__)
    app.config.update(
        API_TITLE="Carnet API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        # /docs loads Swagger UI from the gateway itself (gateway/pages.py), never from a CDN;
        # no online validator badge either: the page works with no internet.
        OPENAPI_SWAGGER_UI_URL=SWAGGER_UI_URL,
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},
        API_SPEC_OPTIONS={
            "info": {"description": "Booking and billing for recreation centres, studios "
                                    "and salons. Conventions (auth, errors, Idempotency-Key, "
                                    "pagination, money and time): docs/http-api.md."},
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        },
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False
    api = CarnetApi(app)
    for blueprint in ROUTES:
        api.register_blueprint(blueprint)
    app.register_blueprint(pages)  # static pages, outside the API and its spec
    limits.install(app)  # body size, JSON depth, path segments (docs/limits.md)
    observability.install(app)  # X-Request-Id, JSON request log, /health/live

    @app.errorhandler(CarnetError)
    def _carnet_error(error):
        return errors.carnet_error_response(error)

    @app.errorhandler(Exception)
    def _unexpected(error):
        if isinstance(error, HTTPException):
            return api.handle_http_exception(error)
        return errors.unexpected_error_response(error)

    @app.before_request
    def _start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def _observe(response):
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.observe(request.method, endpoint, response.status_code,
                        time.perf_counter() - g.get("started", time.perf_counter()))
        return response

    return app
