"""Amounts and dates as a French or an English reader expects them (no I/O)."""
from datetime import date, datetime

from services.common.money import to_major

LOCALES = ("fr", "en")
_SYMBOLS = {"CAD": "$", "USD": "$", "EUR": "€", "GBP": "£", "CHF": "CHF"}
_FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")
_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def locale_of(value) -> str:
    return value if value in LOCALES else "fr"


def money(amount, currency, locale) -> str:
    """1500 CAD -> ``15,00 $`` (fr) or ``$15.00`` (en); an unknown currency by its code."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        return ""
    currency = (currency or "").upper()
    major = to_major(amount, currency or "XXX")
    symbol = _SYMBOLS.get(currency, currency)
    if locale == "en":
        whole, _, cents = major.partition(".")
        whole = f"{int(whole):,}"
        text = whole + ("." + cents if cents else "")
        return f"{symbol}{text}" if len(symbol) == 1 else f"{text} {symbol}"
    whole, _, cents = major.partition(".")
    whole = f"{int(whole):,}".replace(",", "\u202f")
    return whole + ("," + cents if cents else "") + f"\u00a0{symbol}"


def _parse(value):
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        return value
    text = str(value)
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def day(value, locale) -> str:
    """A local date (or the local date of an instant shown with the org's offset)."""
    parsed = _parse(value)
    if parsed is None:
        return ""
    d = parsed.date() if isinstance(parsed, datetime) else parsed
    if locale == "en":
        return f"{_EN_DAYS[d.weekday()]}, {_EN_MONTHS[d.month - 1]} {d.day}, {d.year}"
    first = "1er" if d.day == 1 else str(d.day)
    return f"{_FR_DAYS[d.weekday()]} {first} {_FR_MONTHS[d.month - 1]} {d.year}"


def moment(value, locale) -> str:
    """An instant as the org's wall clock shows it (the value carries the org's offset)."""
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return day(value, locale)
    if locale == "en":
        hour = parsed.hour % 12 or 12
        suffix = "AM" if parsed.hour < 12 else "PM"
        return f"{day(parsed, locale)} at {hour}:{parsed.minute:02d} {suffix}"
    return f"{day(parsed, locale)} à {parsed.hour:02d} h {parsed.minute:02d}"


def in_zone(value, tz):
    """An instant (aware datetime or RFC 3339) shown in the org's timezone (a ZoneInfo)."""
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return value
    if parsed.tzinfo is None or tz is None:
        return parsed
    return parsed.astimezone(tz)
