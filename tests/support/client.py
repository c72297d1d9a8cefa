"""A small HTTP client for the gateway, as a web shop or POS would use it."""
import requests


class ApiError(AssertionError):
    pass


class Client:
    def __init__(self, base_url, token=None):
        self.base = base_url.rstrip("/")
        self.session = requests.Session()
        self.token = token

    def with_token(self, token):
        return Client(self.base, token)

    def request(self, method, path, json=None, params=None, headers=None, token=...):
        url = path if path.startswith("http") else (
            self.base + (path if path.startswith("/health") or path.startswith("/metrics")
                         or path.startswith("/openapi") or path.startswith("/docs")
                         else "/api/v1" + path))
        headers = dict(headers or {})
        token = self.token if token is ... else token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(method, url, json=json, params=params, headers=headers,
                                    timeout=60)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # -- assertions ----------------------------------------------------------------------
    def ok(self, method, path, expect=(200, 201), **kw):
        response = self.request(method, path, **kw)
        expect = (expect,) if isinstance(expect, int) else expect
        if response.status_code not in expect:
            raise ApiError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None


def error_of(response, status, code=None):
    """Assert the API error envelope and return its ``error`` object."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: " \
                                           f"{response.text}"
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error.get("details", {}), dict)
    if code is not None:
        assert error["code"] == code, error
    return error
