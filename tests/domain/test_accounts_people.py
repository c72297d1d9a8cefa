"""accounts domain: password policy, email normalisation, members (R1.2)."""
from datetime import date, datetime, timezone

import pytest

from services.accounts.contract import schemas
from services.accounts.adapters import passwords as hashing
from services.accounts.domain import passwords, people
from services.common.errors import InvalidInput
from services.common.schemas import load


@pytest.mark.parametrize("password", ["correct horse", "12345678", "é" * 8, "x" * 256])
def test_passwords_of_8_to_256_characters_are_accepted(password):
    assert passwords.policy_problems(password) == []


@pytest.mark.parametrize("password, problem", [
    ("short", "at least 8"),
    ("", "at least 8"),
    ("x" * 257, "at most 256"),
    (" " * 10, "only spaces"),
    (12345678, "string"),
])
def test_weak_or_malformed_passwords_are_refused(password, problem):
    assert any(problem in p for p in passwords.policy_problems(password))


def test_a_password_hash_is_argon2id_and_verifies_only_the_password():
    stored = hashing.hash_password("correct horse")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert hashing.verify_password(stored, "correct horse")
    assert not hashing.verify_password(stored, "Correct horse")
    assert not hashing.verify_password(None, "correct horse")  # no password set
    assert not hashing.verify_password("garbage", "correct horse")


def test_emails_are_unique_regardless_of_case_and_spaces():
    assert people.normalize_email("  Marie.Tremblay@Example.COM ") == \
        people.normalize_email("marie.tremblay@example.com")


def test_search_is_case_and_accent_insensitive():
    assert people.fold("  Éloïse   CÔTÉ ") == "eloise cote"
    assert people.member_search_key("Zoé", "Lévesque") == "zoe levesque"


def test_skills_are_trimmed_and_deduplicated_keeping_order():
    assert people.normalize_skills([" swim  level 2", "Skate", "skate", "", "swim level 2"]) \
        == ["swim level 2", "Skate"]


def test_birth_dates_in_the_future_or_before_1900_are_refused():
    now = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    assert people.birth_date_problems(date(2015, 6, 1), now) == []
    assert people.birth_date_problems(date(2026, 3, 2), now) == []  # a zone ahead of UTC
    assert people.birth_date_problems(date(2026, 3, 5), now) == ["must not be in the future"]
    assert people.birth_date_problems(date(1899, 12, 31), now)


def test_genders_are_a_small_documented_set():
    assert people.GENDERS == ("female", "male", "other", "unspecified")


def member(**overrides):
    return dict({"first_name": "Léa", "last_name": "Roy", "birth_date": "2016-04-09"},
                **overrides)


def test_an_account_needs_an_email_a_name_and_at_least_one_member():
    with pytest.raises(InvalidInput) as refused:
        load(schemas.AccountCreate(), {"email": "not-an-email", "members": []})
    assert set(refused.value.details) == {"email", "name", "members"}


def test_a_member_defaults_to_unspecified_gender_and_no_skills():
    loaded = load(schemas.MemberCreate(), member())
    assert loaded["gender"] == "unspecified" and loaded["skills"] == []
    assert loaded["birth_date"] == date(2016, 4, 9)


def test_member_errors_name_the_member_and_the_field():
    with pytest.raises(InvalidInput) as refused:
        load(schemas.AccountCreate(), {
            "email": "a@example.com", "name": "Roy", "password": "short",
            "members": [member(), member(birth_date="2016-02-30", gender="robot")]})
    details = refused.value.details
    assert set(details) == {"password", "members"}
    assert set(details["members"][1]) == {"birth_date", "gender"}


def test_unknown_fields_are_refused_not_dropped():
    with pytest.raises(InvalidInput) as refused:
        load(schemas.MemberCreate(), member(age=9))
    assert "age" in refused.value.details
