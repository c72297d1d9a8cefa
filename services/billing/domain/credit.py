"""Account credit (R3.5, R6.2): money an account holds with the org.

A ledger of entries per account: positive entries credit (a cancelled registration paid
in money, a checkout undone), negative entries debit (a checkout paid with credit). The
balance is the sum of the entries and is never negative. Every entry names its cause
(``reason`` + ``ref``: the event, the checkout), and a cause writes at most one entry, so
a duplicated event or a retried checkout never credits or debits twice.
"""
from dataclasses import dataclass

CANCELLATION = "registration_cancelled"   # ref: the registration id
CHECKOUT = "checkout"                     # ref: the checkout id (a debit)
CHECKOUT_UNDONE = "checkout_undone"       # ref: the checkout id (the debit given back)


@dataclass(frozen=True)
class Entry:
    amount: int
    reason: str
    ref: str


def credit(amount: int, reason: str, ref: str) -> Entry:
    _check(amount)
    return Entry(amount, reason, ref)


def debit(amount: int, reason: str, ref: str) -> Entry:
    _check(amount)
    return Entry(-amount, reason, ref)


def balance_of(entries) -> int:
    return sum(entry.amount for entry in entries)


def covers(balance: int, amount: int) -> bool:
    return balance >= amount


def _check(amount):
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValueError("a credit or debit is a positive integer amount in minor units")
