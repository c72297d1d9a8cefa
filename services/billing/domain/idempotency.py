"""A request that carries an ``Idempotency-Key`` (a checkout of a cart, a refund of an
invoice) is done once per key: asked again with the key and the same request, the first
one's outcome is answered; with the key and a different request, it is refused. The key
is checked here once for both."""
import hashlib
import json

from services.common.errors import IdempotencyKeyReused, InvalidInput


def check_key(key):
    """None, or a key of 1 to 255 characters (else ``validation_error``)."""
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 255):
        raise InvalidInput("the request is not valid",
                           {"idempotency_key": ["at most 255 characters"]})
    return key


def ensure_same_request(first_fingerprint, fingerprint, key, what):
    """The key was used before: for this request (fine) or another (refused)."""
    if first_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            f"this Idempotency-Key was used for a different {what}", {"key": key})


def checkout_fingerprint(payment: dict) -> str:
    canonical = json.dumps({"method": payment.get("method"),
                            "card_token": payment.get("card_token")}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def refund_fingerprint(data: dict) -> str:
    return hashlib.sha256(repr((data["amount"], data["to"], data["reason"])).encode()
                          ).hexdigest()
