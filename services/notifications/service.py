"""Notifications service entrypoints (R7.4): event handlers that claim notices in the sent
log and send them, a timer that sends what is due (retries, reminders, pass warnings), and
the clients' preferences. Contract and decisions: docs/notifications.md.

Each entrypoint loads its input, calls one use case (``usecases/``) and dumps the answer."""
from pathlib import Path

from nameko.events import event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

# Peers' errors arrive here as themselves (not_found …).
from services.accounts.contract import errors as _accounts_errors  # noqa: F401
from services.accounts.contract import events as accounts_events
from services.billing.contract import events as billing_events
from services.catalog.contract import errors as _catalog_errors  # noqa: F401
from services.passes.contract import events as passes_events
from services.registration.contract import events as registration_events
from services.common.schemas import dump, load
from services.common.schemas import require_id as _id
from services.common.service import Clock, ServiceBase
from services.common.uow import Database

from .adapters import settings
from .adapters.models import metadata
from .adapters.peers import Peers
from .adapters.smtp import SmtpSender
from .contract import events, schemas
from .usecases import preferences, sending
from .usecases.context import Context

# The events clients are told about: (emitting service, event type).
TOLD = (
    ("billing", billing_events.CHECKOUT_COMPLETED),
    ("billing", billing_events.SUBSCRIPTION_CHARGED),
    ("billing", billing_events.SUBSCRIPTION_CHARGE_FAILED),
    ("billing", billing_events.SUBSCRIPTION_CANCELLED),
    ("registration", registration_events.REGISTRATION_CANCELLED),
    ("registration", registration_events.APPOINTMENT_BOOKED),
    ("registration", registration_events.APPOINTMENT_CANCELLED),
    ("registration", registration_events.APPOINTMENT_COMPLETED),
    ("registration", registration_events.APPOINTMENT_NO_SHOW),
    ("registration", registration_events.WAITLIST_SEAT_OFFERED),
    ("passes", passes_events.PASS_SOLD), ("passes", passes_events.PASS_GRANTED),
    ("passes", passes_events.PASS_EXPIRY_CHANGED), ("passes", passes_events.PASS_DEBITED),
    ("passes", passes_events.PASS_CREDITED), ("passes", passes_events.PASS_REVOKED),
    ("accounts", accounts_events.PASSWORD_RESET_REQUESTED),
)

def _handler(source, event_type):
    def on_event(self, payload):
        sending.notify(self.ctx, payload)
    on_event.__name__ = f"on_{event_type}"
    return event_handler(source, event_type, requeue_on_error=True)(on_event)


class NotificationsService(ServiceBase):
    name = "notifications"
    db = Database("notifications", metadata, Path(__file__).parent / "migrations",
                  events=events)
    clock = Clock()
    accounts = RpcProxy("accounts")
    catalog = RpcProxy("catalog")
    billing = RpcProxy("billing")

    @property
    def ctx(self):
        return Context(db=self.db, clock=self.clock,
                       peers=Peers(self.accounts, self.catalog, self.billing),
                       sender=SmtpSender())

    # -- what is due: retries with backoff, reminders, pass warnings --------------------------
    @timer(interval=settings.retry_interval())
    def send_due(self):
        sending.send_due(self.ctx)

    # -- preferences and the sent log ---------------------------------------------------------
    @rpc
    def get_preferences(self, org_id, account_id):
        found = preferences.get_preferences(self.ctx, _id("org_id", org_id),
                                            _id("account_id", account_id))
        return dump(schemas.PreferencesOut, found)

    @rpc
    def set_preferences(self, org_id, account_id, data):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        found = preferences.set_preferences(self.ctx, org_id, account_id,
                                            load(schemas.PreferencesIn, data))
        return dump(schemas.PreferencesOut, found)

    @rpc
    def list_notices(self, org_id, account_id=None, event_id=None, kind=None, limit=None,
                     cursor=None):
        """The sent log of an org (newest last)."""
        org_id = _id("org_id", org_id)
        query = load(schemas.NoticeQuery, {"account_id": account_id, "event_id": event_id,
                                             "kind": kind, "limit": limit, "cursor": cursor})
        return dump(schemas.NoticePage, preferences.list_notices(self.ctx, org_id, query))


# The events clients are told about: one handler each, ``on_<event type>`` (its queue is
# ``evt-<source>-<event type>--notifications.on_<event type>``).
for _source, _event_type in TOLD:
    setattr(NotificationsService, f"on_{_event_type}", _handler(_source, _event_type))
