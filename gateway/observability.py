"""The gateway's side of the request id (services/common/logs.py): taken from the client's
``X-Request-Id`` when it is short and plain, else made here; answered in the same header;
bound for the request's thread so every RPC it makes carries it; one JSON log line per
request. Also ``GET /health/live``: the gateway process answers (liveness and readiness of
the gateway's pods, which must not depend on every service being up, unlike ``/health``)."""
import logging
import time

from flask import g, request

from services.common import logs

log = logging.getLogger("gateway.requests")


def install(app):
    logs.set_service("gateway")

    @app.before_request
    def _bind_request_id():
        request_id = logs.sanitise(request.headers.get(logs.HEADER)) or logs.new_request_id()
        g.request_id = request_id
        g.request_started = time.perf_counter()
        logs.bind(request_id)

    @app.after_request
    def _log_request(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[logs.HEADER] = request_id
            if request.path not in ("/health/live", "/metrics"):
                log.info("%s %s %s", request.method, request.path, response.status_code,
                         extra={"method": request.method, "path": request.path,
                                "status": response.status_code,
                                "ms": round((time.perf_counter()
                                             - g.get("request_started", 0)) * 1000, 1)})
        return response

    @app.teardown_request
    def _unbind(_error=None):
        logs.bind(None)

    @app.get("/health/live")
    def _live():
        return {"status": "ok", "service": "gateway"}
