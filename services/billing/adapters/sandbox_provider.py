"""The sandbox payment provider (R6.2): a stand-in for a real card processor, for
development and tests. It behaves like one where it matters to billing:

- card tokens: ``tok_ok`` succeeds; ``tok_decline`` always declines;
  ``tok_decline_renewals`` succeeds when the client is present (checkout) and declines
  every off-session charge (subscription renewals); any other token is declined
  (``invalid_token``);
- idempotency: a charge or refund asked again with the same key answers what it answered
  the first time (the same charge id, or the same decline) and moves no money again; the
  same key with another amount is an error, as with real processors;
- it keeps its own records (``sandbox_charges``), written in its own short transactions,
  never inside billing's: to billing it is an external system.

A refund never exceeds what is left of its charge.
"""
import logging

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from services.common.clock import utcnow
from services.common.db import readonly
from services.common.types import new_id

from ..domain.payment import CardDeclined, Charge, PaymentProvider, ProviderUnavailable
from .models import SandboxCharge

log = logging.getLogger(__name__)

SUCCEEDED = "succeeded"
DECLINED = "declined"

TOKENS = ("tok_ok", "tok_decline", "tok_decline_renewals")


def decide(card_token: str, off_session: bool):
    """None when the sandbox accepts the charge, else the decline code."""
    if card_token == "tok_ok":
        return None
    if card_token == "tok_decline":
        return "card_declined"
    if card_token == "tok_decline_renewals":
        return "card_declined" if off_session else None
    return "invalid_token"


class IdempotencyMismatch(ValueError):
    """The same idempotency key was used for a different charge or refund."""


class SandboxPaymentProvider(PaymentProvider):
    name = "sandbox"

    def __init__(self, engine, now=utcnow):
        self.engine = engine
        self.now = now
        self.table = SandboxCharge.__table__

    def _find(self, key):
        with readonly(self.engine).connect() as conn:
            return conn.execute(select(self.table).where(self.table.c.idempotency_key == key)
                                ).first()

    def _record(self, row):
        """Insert once; a concurrent request with the same key wins and is answered."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(self.table).values(**row))
        except IntegrityError:
            return self._find(row["idempotency_key"])
        except Exception as error:  # the provider's storage is down: outcome unknown
            raise ProviderUnavailable(str(error))
        return None

    def charge(self, *, amount, currency, card_token, idempotency_key, description="",
               off_session=False):
        if not isinstance(amount, int) or amount <= 0:
            raise ValueError("a charge is a positive amount in minor units")
        decline = decide(card_token, off_session)
        row = {"id": new_id("ch"), "idempotency_key": idempotency_key, "kind": "charge",
               "status": DECLINED if decline else SUCCEEDED, "amount": amount,
               "currency": currency, "card_token": card_token, "charge_id": None,
               "decline_code": decline, "created_at": self.now()}
        previous = self._record(row)  # the first answer for this key, if there was one
        previous = row if previous is None else previous._mapping
        if previous["kind"] != "charge" or previous["amount"] != amount:
            raise IdempotencyMismatch(f"idempotency key {idempotency_key} was used for "
                                      f"another request")
        if previous["status"] == DECLINED:
            raise CardDeclined(previous["decline_code"],
                               "the card was declined" if previous["decline_code"] ==
                               "card_declined" else "the card token is not valid")
        return Charge(previous["id"], previous["amount"], previous["currency"])

    def refund(self, *, charge_id, amount, idempotency_key):
        previous = self._find(idempotency_key)
        if previous is not None:
            previous = previous._mapping
            if previous["kind"] != "refund" or previous["charge_id"] != charge_id or \
                    previous["amount"] != amount:
                raise IdempotencyMismatch(f"idempotency key {idempotency_key} was used for "
                                          f"another request")
            return previous["id"]
        with readonly(self.engine).connect() as conn:
            charge = conn.execute(select(self.table).where(self.table.c.id == charge_id,
                                                           self.table.c.kind == "charge")
                                  ).first()
            refunded = conn.execute(select(func.coalesce(func.sum(self.table.c.amount), 0))
                                    .where(self.table.c.kind == "refund",
                                           self.table.c.charge_id == charge_id)).scalar()
        if charge is None or charge.status != SUCCEEDED:
            raise ValueError(f"no succeeded charge {charge_id} to refund")
        if amount <= 0 or refunded + amount > charge.amount:
            raise ValueError(f"cannot refund {amount} of charge {charge_id} "
                             f"({charge.amount - refunded} left)")
        row = {"id": new_id("re"), "idempotency_key": idempotency_key, "kind": "refund",
               "status": SUCCEEDED, "amount": amount, "currency": charge.currency,
               "card_token": None, "charge_id": charge_id, "decline_code": None,
               "created_at": self.now()}
        previous = self._record(row)
        return row["id"] if previous is None else previous.id

    # -- what tests and staff tools may ask the sandbox --------------------------------------
    def charges(self, idempotency_key_prefix=None):
        query = select(self.table).order_by(self.table.c.created_at)
        if idempotency_key_prefix:
            query = query.where(self.table.c.idempotency_key.startswith(idempotency_key_prefix))
        with readonly(self.engine).connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]


def provider_for(engine, name="sandbox", now=utcnow) -> PaymentProvider:
    if name != "sandbox":
        raise RuntimeError(f"unknown payment provider {name!r}: only 'sandbox' exists so far")
    return SandboxPaymentProvider(engine, now)
