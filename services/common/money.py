"""Money is an integer in the currency's minor unit (R1.3). Never floats."""
from decimal import Decimal

# ISO 4217 currencies whose minor unit is not 2 digits (the rest have 2).
_EXPONENTS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def to_major(amount: int, currency: str) -> str:
    """1500, 'EUR' -> '15.00' (for CSV and display; never for arithmetic)."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("money amounts are integers in minor units")
    exp = exponent(currency)
    value = Decimal(amount).scaleb(-exp)
    return f"{value:.{exp}f}"


def from_major(text: str, currency: str) -> int:
    """'15.00', 'EUR' -> 1500; refuses more decimals than the currency has."""
    exp = exponent(currency)
    value = Decimal(str(text))
    minor = value.scaleb(exp)
    if minor != minor.to_integral_value():
        raise ValueError(f"{text} has more than {exp} decimals for {currency}")
    return int(minor)


def allocate(amount: int, weights):
    """Split ``amount`` in proportion to ``weights`` with no cent lost (largest remainder)."""
    weights = list(weights)
    total = sum(weights)
    if total == 0:
        return [0 for _ in weights]
    shares = [amount * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: -((amount * weights[i]) % total))
    for i in remainders[: amount - sum(shares)]:
        shares[i] += 1
    return shares
