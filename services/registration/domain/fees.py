"""Late-cancellation and no-show fees (R8.1), as plain Python.

A policy (per à la carte offer, per service) is ``{window_minutes_before, late_cancel_fee,
no_show_fee}``, each fee ``{type: fixed, amount}`` or ``{type: percent, percent}``. A
client's cancellation at or after ``start - window`` costs the late-cancellation fee; a
no-show marked by staff costs the no-show fee. Paid with a pass, the use is lost instead
(it does not come back); paid in money (or with a subscription, or not paid yet like an
appointment), the fee is money, computed on the price paid (a percentage rounds half up to
the minor unit; a fixed fee is never more than the price when there is one).
"""
from datetime import timedelta
from typing import Optional

LATE_CANCEL = "late_cancel"
NO_SHOW = "no_show"


def amount_of(fee: Optional[dict], price: int) -> int:
    if not fee:
        return 0
    if fee.get("type") == "percent":
        return (int(price) * int(fee.get("percent") or 0) + 50) // 100
    amount = int(fee.get("amount") or 0)
    return min(amount, price) if price else amount


def inside_window(policy: Optional[dict], starts_at, now) -> bool:
    if not policy or starts_at is None:
        return False
    window = int(policy.get("window_minutes_before") or 0)
    return now >= starts_at - timedelta(minutes=window)


def consequence(policy: Optional[dict], kind: str, price: int, by_pass: bool) -> Optional[dict]:
    """What the fact costs: ``None`` (nothing), ``{kind, use_lost: True}`` or
    ``{kind, amount}``."""
    fee = (policy or {}).get(f"{kind}_fee")
    if not fee:
        return None
    if by_pass:
        return {"kind": kind, "use_lost": True, "amount": 0}
    amount = amount_of(fee, price)
    return {"kind": kind, "use_lost": False, "amount": amount} if amount > 0 else None


def late_cancel(policy, starts_at, now, price, by_pass) -> Optional[dict]:
    if not inside_window(policy, starts_at, now):
        return None
    return consequence(policy, LATE_CANCEL, price, by_pass)


def no_show(policy, price, by_pass) -> Optional[dict]:
    return consequence(policy, NO_SHOW, price, by_pass)
