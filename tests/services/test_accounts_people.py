"""accounts: households, members, login, search and staff through the real broker
(docs/contracts.md, R1.2)."""
import uuid

import jwt
import pytest

from services.accounts.contract.errors import (AccountNotFound, EmailAlreadyRegistered,
                                          InvalidCredentials, MemberNotFound, StaffNotFound)
from services.common.errors import InvalidInput, NotFound, Unauthenticated
from tests.support.events import EventListener


def org_id():
    return f"org_{uuid.uuid4().hex[:12]}"


def household(email=None, **overrides):
    return dict({
        "email": email or f"owner-{uuid.uuid4().hex[:8]}@example.com",
        "password": "correct horse battery",
        "name": "Famille Tremblay",
        "members": [
            {"first_name": "Marie", "last_name": "Tremblay", "birth_date": "1984-05-17",
             "gender": "female"},
            {"first_name": "Léo", "last_name": "Tremblay", "birth_date": "2016-09-02",
             "gender": "male", "skills": ["swim level 2", "skate"]},
        ],
    }, **overrides)


@pytest.fixture
def events(test_env):
    listener = EventListener(test_env.env["AMQP_URI"], "accounts")
    yield listener
    listener.close()


def test_an_account_is_created_with_its_members_and_announced(rpc, events):
    org = org_id()
    account = rpc.call("accounts", "create_account", org, household("Marie@Example.com "))
    assert account["id"].startswith("acc_")
    assert account["email"] == "marie@example.com"
    assert account["name"] == "Famille Tremblay"
    assert [m["first_name"] for m in account["members"]] == ["Marie", "Léo"]
    leo = account["members"][1]
    assert leo == {"id": leo["id"], "account_id": account["id"], "org_id": org,
                   "first_name": "Léo", "last_name": "Tremblay", "birth_date": "2016-09-02",
                   "gender": "male", "skills": ["swim level 2", "skate"]}
    assert "password" not in account and "password_hash" not in account

    event = events.wait_for("account_created", lambda e: e["data"]["id"] == account["id"])
    assert event["data"]["org_id"] == org
    assert [m["id"] for m in event["data"]["members"]] == [m["id"] for m in account["members"]]
    assert "correct horse" not in str(event) and "argon2" not in str(event)

    assert rpc.call("accounts", "get_account", org, account["id"]) == account


def test_an_email_is_taken_once_per_org_whatever_its_case(rpc):
    org = org_id()
    rpc.call("accounts", "create_account", org, household("jo@example.com"))
    with pytest.raises(EmailAlreadyRegistered) as refused:
        rpc.call("accounts", "create_account", org, household("JO@example.com"))
    assert refused.value.code == "email_already_registered"
    # Another org is another customer base.
    rpc.call("accounts", "create_account", org_id(), household("jo@example.com"))


def test_a_customer_logs_in_with_email_and_password(rpc, test_env):
    org = org_id()
    account = rpc.call("accounts", "create_account", org, household("lea@example.com"))
    issued = rpc.call("accounts", "login", org, "  LEA@example.com", "correct horse battery")
    claims = jwt.decode(issued["token"], test_env.env["CARNET_JWT_SECRET"],
                        algorithms=["HS256"])
    assert claims["role"] == "customer"
    assert claims["account"] == account["id"] and claims["org"] == org


def test_a_wrong_email_or_password_gets_the_same_answer(rpc):
    org = org_id()
    rpc.call("accounts", "create_account", org, household("max@example.com"))
    rpc.call("accounts", "create_account", org, household("nopass@example.com", password=None))
    refusals = []
    for email, password in (("max@example.com", "wrong password"),
                            ("nobody@example.com", "correct horse battery"),
                            ("nopass@example.com", "correct horse battery")):
        with pytest.raises(InvalidCredentials) as refused:
            rpc.call("accounts", "login", org, email, password)
        refusals.append((refused.value.code, refused.value.message))
    assert len(set(refusals)) == 1 and refusals[0][0] == "unauthenticated"
    # The right password in another org is not a login either.
    with pytest.raises(Unauthenticated):
        rpc.call("accounts", "login", org_id(), "max@example.com", "correct horse battery")


def test_members_are_added_later_and_announced(rpc, events):
    org = org_id()
    account = rpc.call("accounts", "create_account", org, household())
    member = rpc.call("accounts", "add_member", org, account["id"], {
        "first_name": "Zoé", "last_name": "Tremblay", "birth_date": "2019-01-31",
        "gender": "other", "skills": ["ballet"]})
    assert member["account_id"] == account["id"] and member["birth_date"] == "2019-01-31"
    event = events.wait_for("member_added", lambda e: e["data"]["id"] == member["id"])
    assert event["data"]["org_id"] == org and event["data"]["gender"] == "other"
    names = [m["first_name"] for m in rpc.call("accounts", "get_account", org,
                                                account["id"])["members"]]
    assert names == ["Marie", "Léo", "Zoé"]


def test_registration_reads_members_for_eligibility(rpc):
    org = org_id()
    account = rpc.call("accounts", "create_account", org, household())
    marie, leo = account["members"]
    assert rpc.call("accounts", "get_member", org, leo["id"]) == leo
    found = rpc.call("accounts", "get_members", org, [leo["id"], "mem_unknown", marie["id"]])
    assert found == {"items": [leo, marie]}
    # Another org's member is unknown there.
    with pytest.raises(MemberNotFound):
        rpc.call("accounts", "get_member", org_id(), leo["id"])
    assert rpc.call("accounts", "get_members", org_id(), [leo["id"]]) == {"items": []}


def test_another_orgs_account_is_not_found(rpc):
    account = rpc.call("accounts", "create_account", org_id(), household())
    with pytest.raises(AccountNotFound) as refused:
        rpc.call("accounts", "get_account", org_id(), account["id"])
    assert isinstance(refused.value, NotFound) and refused.value.code == "not_found"
    with pytest.raises(AccountNotFound):
        rpc.call("accounts", "add_member", org_id(), account["id"], {
            "first_name": "A", "last_name": "B", "birth_date": "2000-01-01"})


def test_bad_input_arrives_as_invalid_input_with_field_details(rpc):
    org = org_id()
    with pytest.raises(InvalidInput) as refused:
        rpc.call("accounts", "create_account", org, household(members=[
            {"first_name": "A", "last_name": "B", "birth_date": "2199-01-01"}]))
    assert refused.value.details == {"members": {"0": {"birth_date":
                                                       ["must not be in the future"]}}}
    with pytest.raises(InvalidInput) as refused:
        rpc.call("accounts", "create_account", org, household(password="short"))
    assert "password" in refused.value.details


def test_the_pos_search_finds_accounts_by_name_email_or_member(rpc):
    org = org_id()
    tremblay = rpc.call("accounts", "create_account", org, household("m.t@example.com"))
    cote = rpc.call("accounts", "create_account", org, household(
        "famille.cote@example.com", name="Famille Côté", members=[
            {"first_name": "Éloïse", "last_name": "Côté", "birth_date": "2012-03-03"}]))
    rpc.call("accounts", "create_account", org_id(), household(name="Famille Côté"))

    def ids(q, **kw):
        return [a["id"] for a in rpc.call("accounts", "search_accounts", org, q, **kw)["items"]]

    assert ids("cote") == [cote["id"]]          # account name, accents ignored
    assert ids("ELOISE") == [cote["id"]]        # a member's name
    assert ids("m.t@") == [tremblay["id"]]      # the email
    assert ids("léo trem") == [tremblay["id"]]  # first and last name
    assert ids("famille") == [cote["id"], tremblay["id"]]  # by name
    assert ids("%") == [] and ids("_") == []    # wildcards are plain characters

    first = rpc.call("accounts", "search_accounts", org, "famille", limit=1)
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = rpc.call("accounts", "search_accounts", org, "famille", limit=1,
                      cursor=first["next_cursor"])
    assert [a["id"] for a in first["items"] + second["items"]] == [cote["id"], tremblay["id"]]
    assert second["next_cursor"] is None


def test_staff_members_are_created_listed_and_announced(rpc, events):
    org = org_id()
    sophie = rpc.call("accounts", "create_staff", org, {"name": "Sophie"})
    alex = rpc.call("accounts", "create_staff", org, {"name": "Alex"})
    assert sophie == {"id": sophie["id"], "name": "Sophie"}
    event = events.wait_for("staff_created", lambda e: e["data"]["id"] == sophie["id"])
    assert event["data"] == {"id": sophie["id"], "name": "Sophie", "org_id": org}
    assert rpc.call("accounts", "list_staff", org)["items"] == [alex, sophie]
    assert rpc.call("accounts", "get_staff", org, alex["id"]) == alex
    assert rpc.call("accounts", "list_staff", org_id())["items"] == []
    with pytest.raises(StaffNotFound):
        rpc.call("accounts", "get_staff", org_id(), alex["id"])


def test_every_member_written_is_published_whole(rpc, events):
    """member_created (with a new account, and when added) and member_updated carry the
    whole member, so another service can keep its own copy (contract/events.py)."""
    from services.accounts.contract import events as accounts_events
    org = org_id()
    account = rpc.call("accounts", "create_account", org, household())
    for member in account["members"]:
        event = events.wait_for(accounts_events.MEMBER_CREATED,
                                lambda e, m=member: e["data"]["id"] == m["id"])
        assert event["data"] == member
    added = rpc.call("accounts", "add_member", org, account["id"], {
        "first_name": "Zoé", "last_name": "Tremblay", "birth_date": "2019-01-31"})
    event = events.wait_for(accounts_events.MEMBER_CREATED,
                            lambda e: e["data"]["id"] == added["id"])
    assert event["data"] == added
    updated = rpc.call("accounts", "update_member", org, added["id"], {"skills": ["ballet"]})
    event = events.wait_for(accounts_events.MEMBER_UPDATED,
                            lambda e: e["data"]["id"] == added["id"])
    assert event["data"] == updated and updated["skills"] == ["ballet"]
    assert set(updated) == set(accounts_events.MemberPayload().fields)
