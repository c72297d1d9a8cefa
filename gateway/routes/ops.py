"""Operations: health of every service, Prometheus metrics."""
from flask import Response
from marshmallow import Schema, fields

from services.common.config import SERVICES
from services.common.errors import CarnetError, NotFound

from .. import metrics
from ..rpc import pool
from .blueprint import Blueprint

blp = Blueprint("operations", __name__, description="Health and metrics")


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok or degraded"})
    services = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


@blp.route("/health", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="some service did not answer")
def health():
    services = {}
    for name in SERVICES:
        try:
            services[name] = pool("health").call(name, "health")["status"]
        except CarnetError:
            services[name] = "unavailable"
        except Exception:
            services[name] = "error"
    ok = all(state == "ok" for state in services.values())
    return {"status": "ok" if ok else "degraded", "services": services}, 200 if ok else 503


@blp.route("/health/<service>", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="the service did not answer")
def service_health(service):
    """One service's health (its database included)."""
    if service not in SERVICES:
        raise NotFound(f"no service named {service}")
    try:
        state = pool("health").call(service, "health")["status"]
    except CarnetError:
        state = "unavailable"
    return {"status": state if state == "ok" else "degraded", "services": {service: state}}, \
        200 if state == "ok" else 503


@blp.route("/metrics", methods=["GET"])
@blp.doc(security=[])
def prometheus_metrics():
    """Prometheus text format."""
    body, content_type = metrics.render()
    return Response(body, content_type=content_type)
