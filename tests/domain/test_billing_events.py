"""Every event billing publishes is in its contract (``contract/events.py``): written with
the contract's constants, each with a payload schema and a version."""
import re
from pathlib import Path

from services.billing.contract import events

BILLING = Path(__file__).resolve().parents[2] / "services" / "billing"


def test_billing_emits_only_the_events_of_its_contract():
    emitted, literal = set(), []
    for path in BILLING.rglob("*.py"):
        text = path.read_text()
        emitted |= set(re.findall(r"uow\.emit\(\s*events\.([A-Z_]+)", text))
        literal += [f"{path.name}: {m}" for m in re.findall(r"uow\.emit\(\s*[\"'](\w+)", text)]
    assert not literal, f"events emitted without the contract's constant: {literal}"
    assert emitted
    for name in emitted:
        event_type = getattr(events, name)
        assert event_type in events.PAYLOADS and events.VERSIONS[event_type] >= 1
    assert set(events.PAYLOADS) == {getattr(events, n) for n in emitted}
