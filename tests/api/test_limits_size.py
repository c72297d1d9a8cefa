"""Request size (issue 11, item 6): a body over ``CARNET_MAX_CONTENT_LENGTH`` (1 MiB by
default) is answered 413 in the error envelope, anonymously and without the gateway
reading it; an over-long request line or too many headers are refused by gunicorn, in the
envelope too (docs/limits.md)."""
import json
import socket
from urllib.parse import urlsplit

import requests

from gateway.limits import DEFAULT_MAX_CONTENT_LENGTH
from tests.support.client import Client, error_of


def raw_exchange(url, head: bytes, body: bytes = b"") -> tuple:
    """Send ``head`` (+ ``body``) on a fresh connection; (status, headers, JSON body) of
    the answer. The server may close the connection before reading all we announced."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head + body)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < _expected(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    header_text, _, payload = data.partition(b"\r\n\r\n")
    lines = header_text.decode("latin1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, \
        json.loads(payload or b"null")


def _expected(data):
    head, sep, _ = data.partition(b"\r\n\r\n")
    if not sep:
        return 1 << 30
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(head) + 4 + int(line.split(b":")[1])
    return len(data)


def envelope(body, code):
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    assert body["error"]["message"]


def test_an_oversized_body_is_413_in_the_envelope_even_anonymously(api):
    client = Client(api.base)  # its own connection: this one is closed after the 413
    big = {"api_key": "x" * (DEFAULT_MAX_CONTENT_LENGTH + 10)}
    response = client.post("/auth/token", json=big)
    error_of(response, 413, "payload_too_large")
    assert response.headers.get("Connection") == "close"
    # under the limit it is an ordinary answer
    assert api.post("/auth/token", json={"api_key": "x" * 1000}).status_code in (400, 401)


def test_the_gateway_answers_413_without_reading_the_announced_body(stack):
    """200 MB announced, 1 KB sent: the answer comes at once, from Content-Length."""
    head = (f"POST /api/v1/auth/token HTTP/1.1\r\nHost: carnet\r\n"
            f"Content-Type: application/json\r\nContent-Length: {200 * 1024 * 1024}\r\n\r\n"
            ).encode()
    status, headers, body = raw_exchange(stack.url, head, b"{" + b" " * 1023)
    assert status == 413
    assert headers["content-type"].startswith("application/json")
    envelope(body, "payload_too_large")


def test_a_chunked_body_over_the_limit_is_413(api):
    def chunks():
        for _ in range(3):
            yield b"x" * (DEFAULT_MAX_CONTENT_LENGTH // 2)
    response = requests.post(api.base + "/api/v1/auth/token", data=chunks(),
                                headers={"Content-Type": "application/json"}, timeout=60)
    error_of(response, 413, "payload_too_large")


def test_an_over_long_request_line_is_414_in_the_envelope(stack):
    head = (f"GET /api/v1/orgs/{'o' * 5000} HTTP/1.1\r\nHost: carnet\r\n\r\n").encode()
    status, headers, body = raw_exchange(stack.url, head)
    assert status == 414 and headers["content-type"] == "application/json"
    envelope(body, "uri_too_long")


def test_too_many_or_too_long_headers_are_431_in_the_envelope(stack):
    many = "".join(f"X-H{i}: {i}\r\n" for i in range(150))
    for extra in (many, f"X-Long: {'v' * 9000}\r\n"):
        head = f"GET /health HTTP/1.1\r\nHost: carnet\r\n{extra}\r\n".encode()
        status, headers, body = raw_exchange(stack.url, head)
        assert status == 431 and headers["content-type"] == "application/json"
        envelope(body, "headers_too_large")
