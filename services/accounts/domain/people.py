"""Accounts (households), their members, and the staff of the agenda (R1.2, R5.1)."""
import unicodedata
from datetime import date, datetime, timedelta

from ..contract.credentials import DEFAULT_GENDER, GENDERS, normalize_email  # noqa: F401

EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def fold(text: str) -> str:
    """Search key: case- and accent-insensitive ("Éloïse" is found by "eloise")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def normalize_skills(skills) -> list:
    """Trimmed, blanks dropped, duplicates removed (first spelling kept), order kept."""
    seen, result = set(), []
    for skill in skills or []:
        skill = " ".join(str(skill).split())
        if skill and skill.casefold() not in seen:
            seen.add(skill.casefold())
            result.append(skill)
    return result


def birth_date_problems(birth_date: date, now: datetime) -> list:
    """A birth date cannot be in the future (one day of slack for time zones ahead of UTC)."""
    problems = []
    if birth_date > (now.date() + timedelta(days=1)):
        problems.append("must not be in the future")
    if birth_date < EARLIEST_BIRTH_DATE:
        problems.append(f"must be on or after {EARLIEST_BIRTH_DATE.isoformat()}")
    return problems


def member_search_key(first_name: str, last_name: str) -> str:
    return fold(f"{first_name} {last_name}")
