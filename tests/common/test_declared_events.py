"""Every event a service emits is declared in its contract (``contract/events.py``): the
unit of work refuses one that is not, stamps the declared version, and (in the tests) checks
the payload against the declared schema."""
import importlib
from types import SimpleNamespace

import pytest
from marshmallow import Schema, fields

from services.common.config import SERVICES
from services.common.uow import UndeclaredEvent, declared_version


class Joined(Schema):
    member_id = fields.String(required=True)


DECLARED = SimpleNamespace(VERSIONS={"member_joined": 2}, PAYLOADS={"member_joined": Joined})


def database(check_payloads=True):
    return SimpleNamespace(service_name="club", events=DECLARED, check_payloads=check_payloads)


def test_a_declared_event_gets_its_declared_version():
    assert declared_version(database(), "member_joined", {"member_id": "mem_1"}) == 2


def test_an_undeclared_event_is_refused():
    with pytest.raises(UndeclaredEvent, match="member_left"):
        declared_version(database(), "member_left", {"member_id": "mem_1"})


def test_a_payload_its_schema_refuses_is_refused_when_payloads_are_checked():
    with pytest.raises(UndeclaredEvent, match="member_id"):
        declared_version(database(), "member_joined", {"who": "mem_1"})
    assert declared_version(database(check_payloads=False), "member_joined", {"who": "x"}) == 2


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "gateway"])
def test_each_service_declares_a_version_and_a_payload_schema_for_every_event(service):
    events = importlib.import_module(f"services.{service}.contract.events")
    assert set(events.VERSIONS) == set(events.PAYLOADS)
    for event_type, schema in events.PAYLOADS.items():
        assert isinstance(events.VERSIONS[event_type], int) and events.VERSIONS[event_type] >= 1
        schema()  # a marshmallow schema that builds
