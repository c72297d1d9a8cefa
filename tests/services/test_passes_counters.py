"""passes (issue 14): a debit judges and answers from the pass's counters (``uses_left``,
``uses_used``), never its ledger, and they always say what the ledger sums say (R4.1); the
caller may send the member's account so that passes does not ask accounts again (R3.4); and
every event published matches its payload in ``contract/events.py``."""
import pytest
from sqlalchemy import text

from services.passes.contract import events as passes_events
from services.passes.contract.errors import PassNotEligible
from tests.services.test_passes_bundles import bundle_type, sell_bundle
from tests.services.test_passes_support import passes_db, unique, world  # noqa: F401
from tests.support.events import EventListener


@pytest.fixture
def events(test_env):
    listener = EventListener(test_env.env["AMQP_URI"], "passes")
    yield listener
    listener.close()


def counters_and_ledger(engine, pass_id):
    """((uses_left, uses_used) cached, (balance, used) summed from the ledger)."""
    with engine.connect() as conn:
        cached = tuple(conn.execute(text(
            "SELECT uses_left, uses_used FROM passes WHERE id = :id"), {"id": pass_id}).one())
        summed = tuple(int(v) for v in conn.execute(text(
            "SELECT COALESCE(SUM(delta), 0), COALESCE(SUM(CASE WHEN kind IN "
            "('debit', 'credit') THEN -delta ELSE 0 END), 0) FROM pass_entries "
            "WHERE pass_id = :id"), {"id": pass_id}).one())
    return cached, summed


@pytest.mark.parametrize("uses", [3, None], ids=["counted", "unlimited"])
def test_the_counters_a_debit_answers_from_agree_with_the_ledger(world, passes_db, uses):
    yoga = world.activity()
    account = world.household(members=2)
    marie, leo = account["members"]
    sold = world.sell_pass(world.pass_type([yoga], uses=uses, family=True), account)
    answers = [world.debit(sold["id"], marie, yoga, registration_id="reg_1"),
               world.debit(sold["id"], leo, yoga, registration_id="reg_2"),
               world.call("credit_pass", sold["id"], {"registration_id": "reg_1"}),
               world.debit(sold["id"], marie, yoga, registration_id="reg_1")]  # a replay
    assert [(a["pass"]["uses_left"], a["pass"]["uses_used"]) for a in answers] == (
        [(2, 1), (1, 2), (2, 1), (2, 1)] if uses else [(None, 1), (None, 2), (None, 1),
                                                       (None, 1)])
    assert answers[-1]["replayed"] is True
    # What the write answered (counters) is what the ledger sums to (a read).
    read = world.call("get_pass", sold["id"])
    assert (read["uses_left"], read["uses_used"]) == (answers[-1]["pass"]["uses_left"],
                                                      answers[-1]["pass"]["uses_used"])
    (left, used), (balance, summed_used) = counters_and_ledger(passes_db, sold["id"])
    assert used == summed_used == 1
    assert left == (balance if uses else None)


def test_the_callers_account_of_the_member_is_used_to_judge_a_family_pass(world):
    yoga = world.activity()
    ours, theirs = world.household(members=1), world.household(members=1)
    sold = world.sell_pass(world.pass_type([yoga], uses=3, family=True), ours)
    member = ours["members"][0]

    def debit(account_id, registration_id):
        return world.call("debit_pass", sold["id"], {
            "registration_id": registration_id, "member_id": member["id"],
            "activity_id": yoga, "account_id": account_id})

    assert debit(ours["id"], "reg_ours")["pass"]["uses_left"] == 2
    with pytest.raises(PassNotEligible) as refused:  # the account sent is the one judged
        debit(theirs["id"], "reg_theirs")
    assert refused.value.details["reason"] == "holder"
    # Without it, passes asks accounts (as before).
    assert world.debit(sold["id"], member, yoga)["pass"]["uses_left"] == 1


def test_every_event_published_matches_its_contract_payload(world, events, rpc):
    yoga = world.activity()
    account = world.household(members=1)
    marie = account["members"][0]
    invoice = unique("inv")
    card = world.pass_type([yoga], uses=2)
    sold = world.sell_pass(card, account, marie, invoice_id=invoice)
    granted = world.call("grant_passes", {"pass_type_id": card["id"],
                                          "account_ids": [account["id"]],
                                          "reason": "storm", "granted_by": "key_staff"})
    world.call("change_pass_expiry", granted["items"][0]["id"], {
        "expires_at": "2030-06-30", "reason": "leave", "changed_by": "key_staff"})
    world.debit(sold["id"], marie, yoga, registration_id="reg_e")
    world.call("credit_pass", sold["id"], {"registration_id": "reg_e"})
    cut, colour = world.service("Coupe"), world.service("Couleur")
    bundle = sell_bundle(world, bundle_type(world, cut, colour), account, marie,
                         invoice_id=invoice)
    for method in ("book_bundle", "unbook_bundle", "use_bundle"):
        world.call(method, bundle["id"], {"appointment_id": "apt_e", "service_id": cut})
    kind = rpc.call("catalog", "create_membership_type", world.id, {
        "name": "Membre", "price": 5000, "duration_days": 30})
    world.call("sell_membership", {"membership_type_id": kind["id"],
                                   "account_id": account["id"], "member_id": marie["id"],
                                   "invoice_id": invoice})
    world.call("revoke_for_invoice", invoice)  # the pass (given back); the bundle is used

    for event_type in (set(passes_events.PAYLOADS) - {passes_events.BUNDLE_REVOKED}):
        event = events.wait_for(event_type, lambda e: e["data"]["org_id"] == world.id)
        assert event["version"] == passes_events.VERSIONS[event_type]
        passes_events.PAYLOADS[event_type]().load(event["data"])  # raises if it does not fit
