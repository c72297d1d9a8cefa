"""docs/architecture.md draws who calls whom by RPC and who listens to which events; this
checks the drawing against the code, read from the Nameko service classes themselves (their
``RpcProxy`` dependencies and ``@event_handler`` entrypoints), so the page cannot drift."""
import importlib
import inspect
import re
from pathlib import Path

from nameko.events import EventHandler
from nameko.rpc import RpcProxy

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
GATEWAY_ROUTES = ROOT / "gateway"
SERVICE_MODULES = ("accounts.service", "catalog.service", "registration.service",
                   "passes.service", "billing.service", "billing.worker",
                   "notifications.service")


def service_classes():
    for module_name in SERVICE_MODULES:
        module = importlib.import_module(f"services.{module_name}")
        for cls in vars(module).values():
            if inspect.isclass(cls) and cls.__module__ == module.__name__ \
                    and isinstance(getattr(cls, "name", None), str):
                yield cls


def code_edges():
    rpc, events = set(), set()
    for cls in service_classes():
        for _, member in inspect.getmembers(cls):
            if isinstance(member, RpcProxy):
                rpc.add((cls.name, member.target_service))
            for entrypoint in getattr(member, "nameko_entrypoints", ()) or ():
                if isinstance(entrypoint, EventHandler):
                    events.add((entrypoint.source_service, entrypoint.event_type, cls.name))
    for path in GATEWAY_ROUTES.rglob("*.py"):
        for service in re.findall(r"""\bcall\(\s*["']([a-z_]+)["']""", path.read_text()):
            rpc.add(("gateway", service))
    return rpc, events


def section(text, title):
    body = text.split(f"### {title}\n", 1)[1]
    return re.split(r"\n##", body, maxsplit=1)[0]


def rows(table_text):
    lines = [line for line in table_text.splitlines() if line.startswith("|")]
    cells = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    return cells[0], cells[2:]


def documented_edges():
    text = DOC.read_text()
    header, table = rows(section(text, "RPC"))
    rpc = {(row[0], callee) for row in table
           for callee, cell in zip(header[1:], row[1:]) if cell}
    _, table = rows(section(text, "Events"))
    events = {(producer, event.strip("`"), consumer.strip())
              for producer, event, consumers in table for consumer in consumers.split(",")}
    return rpc, events


def test_the_rpc_and_event_edges_drawn_are_those_in_the_code():
    code_rpc, code_events = code_edges()
    doc_rpc, doc_events = documented_edges()
    assert code_rpc and code_events
    assert sorted(code_rpc - doc_rpc) == [], "RPC edges missing from docs/architecture.md"
    assert sorted(doc_rpc - code_rpc) == [], "RPC edges drawn but not in the code"
    assert sorted(code_events - doc_events) == [], "events missing from docs/architecture.md"
    assert sorted(doc_events - code_events) == [], "events drawn but not consumed in the code"


def test_every_event_a_service_listens_to_is_one_its_producer_declares():
    """A subscription names an event of the producer's contract (``contract/events.py``),
    so a renamed or misspelt event cannot leave a consumer silently waiting."""
    _, code_events = code_edges()
    undeclared = []
    for producer, event_type, consumer in sorted(code_events):
        declared = importlib.import_module(f"services.{producer}.contract.events").VERSIONS
        if event_type not in declared:
            undeclared.append((producer, event_type, consumer))
    assert undeclared == []
