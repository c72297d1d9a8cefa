"""Operations endpoints and the API's conventions that need no data."""
from services.common.config import SERVICES
from tests.support.client import error_of


def test_health_reports_every_service_ok(api):
    response = api.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["services"] == {name: "ok" for name in SERVICES}
    assert set(SERVICES) == {"accounts", "catalog", "registration", "passes", "billing",
                             "notifications"}


def test_metrics_are_prometheus_text(api):
    api.get("/health")
    response = api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "carnet_http_requests_total" in response.text


def test_openapi_and_docs_are_served(api):
    spec = api.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/health" in spec["paths"]
    docs = api.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_unknown_path_is_a_404_in_the_error_envelope(api):
    error_of(api.get("/orgs/nope/nothing-here"), 404, "not_found")
