"""/openapi.json describes every implemented path with its request and response schemas."""
import re

import pytest

NO_BODY = {"/metrics"}
BODILESS_POSTS = re.compile(r"/(cancel|checkout|void|bundle|refunds)$")


@pytest.fixture(scope="module")
def spec(api):
    return api.get("/openapi.json").json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "patch", "put", "delete"):
                yield path, method, op


def test_every_operation_documents_its_success_response_schema(spec):
    missing = []
    for path, method, op in operations(spec):
        if path in NO_BODY:
            continue
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        if not ok:
            missing.append(f"{method.upper()} {path}: no 2xx response")
            continue
        for code, response in ok.items():
            if code == "204":
                continue
            if "schema" not in response.get("content", {}).get("application/json", {}):
                missing.append(f"{method.upper()} {path}: {code} has no schema")
    assert missing == []


def test_every_write_documents_its_request_body(spec):
    missing = [f"{m.upper()} {p}" for p, m, op in operations(spec)
               if m in ("post", "patch") and "requestBody" not in op
               and not BODILESS_POSTS.search(p)]
    assert missing == []


def test_errors_use_the_envelope_schema(spec):
    schemas = spec["components"]["schemas"]
    assert "ErrorEnvelope" in schemas
    assert schemas["ErrorEnvelope"]["properties"]["error"]


def test_bearer_auth_is_declared(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
