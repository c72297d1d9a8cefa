"""gunicorn's own refusals in the API's error envelope (issue 11, item 6).

gunicorn refuses a request line longer than ``limit_request_line`` (414), more headers
than ``limit_request_fields`` or a header longer than ``limit_request_field_size`` (431),
and malformed requests (400) before the application is called, and answers them with an
HTML page written by ``gunicorn.util.write_error``. Its workers look that function up at
the moment they answer, so replacing it (in the master, before the workers fork: see
``gunicorn.conf.py``) is enough to answer them as JSON ``{"error": {code, message,
details}}``, still with ``Connection: close``. The status codes are gunicorn's.
"""
import json

from gunicorn import util

CODES = {400: "validation_error", 403: "forbidden", 414: "uri_too_long",
         417: "expectation_failed", 431: "headers_too_large", 500: "internal_error",
         501: "not_implemented"}
MESSAGES = {414: "the request line (method, path and query) is too long",
            431: "the request has too many headers, or a header is too long"}


def envelope_bytes(status_int, reason, mesg):
    body = json.dumps({"error": {
        "code": CODES.get(status_int, "error"),
        "message": MESSAGES.get(status_int) or mesg or reason,
        "details": {}}}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin1") + body


def write_error(sock, status_int, reason, mesg):
    util.write_nonblock(sock, envelope_bytes(status_int, reason, mesg))


def install():
    util.write_error = write_error
