"""Notifications service entrypoints (R7.4): event handlers that claim notices in the sent
log and send them, a timer that sends what is due (retries, reminders, pass warnings), and
the clients' preferences. Contract and decisions: docs/notifications.md."""
import logging
from pathlib import Path

from nameko.events import event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

# Peers' errors arrive here as themselves (not_found …).
from services.accounts.contract import errors as _accounts_errors  # noqa: F401
from services.catalog.contract import errors as _catalog_errors  # noqa: F401
from services.common import peers
from services.common.service import Clock
from services.common.errors import NotFound
from services.common.schemas import dump, load
from services.common.schemas import require_id as _id
from services.common.service import ServiceBase
from services.common.uow import Database

from . import delivery, settings
from .contract import schemas
from .adapters.directory import Directory
from .adapters.models import metadata
from .adapters.repositories import Notices, Preferences, notice_dict
from .adapters.smtp import SmtpSender
from .domain import notices as rules
from .contract.errors import NotificationAccountNotFound

log = logging.getLogger(__name__)


def _handles(service, event_type):
    return event_handler(service, event_type, requeue_on_error=True)


class NotificationsService(ServiceBase):
    name = "notifications"
    db = Database("notifications", metadata, Path(__file__).parent / "migrations")
    clock = Clock()
    accounts = RpcProxy("accounts")
    catalog = RpcProxy("catalog")
    billing = RpcProxy("billing")

    def _delivery(self):
        return delivery.Delivery(self.db, Directory(self.accounts, self.catalog, self.billing),
                                 SmtpSender(), self.clock)

    def _take(self, payload):
        """Claim the event's notices, then send them now (a failure is the timer's)."""
        ids = delivery.take_in(self.db, payload, self.clock.now())
        self._send(ids)

    def _send(self, ids):
        sender = self._delivery()
        for notice_id in ids:
            try:
                sender.send(notice_id)
            except Exception:  # noqa: BLE001 - the database: the timer tries again
                log.exception("notice %s: sending interrupted; the timer will retry", notice_id)

    # -- the events clients are told about ----------------------------------------------------
    @_handles("billing", "checkout_completed")
    def on_checkout_completed(self, payload):
        self._take(payload)

    @_handles("billing", "subscription_charged")
    def on_subscription_charged(self, payload):
        self._take(payload)

    @_handles("billing", "subscription_charge_failed")
    def on_subscription_charge_failed(self, payload):
        self._take(payload)

    @_handles("billing", "subscription_cancelled")
    def on_subscription_cancelled(self, payload):
        self._take(payload)

    @_handles("registration", "registration_cancelled")
    def on_registration_cancelled(self, payload):
        self._take(payload)

    @_handles("registration", "appointment_booked")
    def on_appointment_booked(self, payload):
        self._take(payload)

    @_handles("registration", "appointment_cancelled")
    def on_appointment_cancelled(self, payload):
        self._take(payload)

    @_handles("registration", "appointment_completed")
    def on_appointment_completed(self, payload):
        self._take(payload)

    @_handles("registration", "appointment_no_show")
    def on_appointment_no_show(self, payload):
        self._take(payload)

    @_handles("passes", "pass_sold")
    def on_pass_sold(self, payload):
        self._take(payload)

    @_handles("passes", "pass_granted")
    def on_pass_granted(self, payload):
        self._take(payload)

    @_handles("passes", "pass_expiry_changed")
    def on_pass_expiry_changed(self, payload):
        self._take(payload)

    @_handles("passes", "pass_debited")
    def on_pass_debited(self, payload):
        self._take(payload)

    @_handles("passes", "pass_credited")
    def on_pass_credited(self, payload):
        self._take(payload)

    @_handles("passes", "pass_revoked")
    def on_pass_revoked(self, payload):
        self._take(payload)

    @_handles("accounts", "password_reset_requested")
    def on_password_reset_requested(self, payload):
        self._take(payload)

    @_handles("registration", "waitlist_seat_offered")
    def on_waitlist_seat_offered(self, payload):
        self._take(payload)

    # -- what is due: retries with backoff, reminders, pass warnings --------------------------
    @timer(interval=settings.retry_interval())
    def send_due(self):
        now = self.clock.now()
        ids = delivery.release_watches(self.db, now)
        self._send(ids + [i for i in delivery.due_notices(self.db, now) if i not in ids])

    # -- preferences and the sent log ---------------------------------------------------------
    def _check_account(self, org_id, account_id):
        try:
            peers.call(self.accounts, "get_account", org_id, account_id)
        except NotFound:
            raise NotificationAccountNotFound("no such account", {"account_id": account_id})

    @rpc
    def get_preferences(self, org_id, account_id):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        self._check_account(org_id, account_id)
        with self.db.uow(readonly=True) as uow:
            found = Preferences(uow.session).get(org_id, account_id)
        return dump(schemas.PreferencesOut(), dict(found, account_id=account_id,
                                                   transactional=list(rules.TRANSACTIONAL)))

    @rpc
    def set_preferences(self, org_id, account_id, data):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        changes = load(schemas.PreferencesIn(), data)
        self._check_account(org_id, account_id)
        with self.db.uow() as uow:
            found = Preferences(uow.session).set(org_id, account_id, changes, self.clock.now())
            uow.commit()
        return dump(schemas.PreferencesOut(), dict(found, account_id=account_id,
                                                   transactional=list(rules.TRANSACTIONAL)))

    @rpc
    def list_notices(self, org_id, account_id=None, event_id=None, kind=None, limit=None,
                     cursor=None):
        """The sent log of an org (newest last): the proof of what was sent, skipped or
        given up, and why."""
        org_id = _id("org_id", org_id)
        query = load(schemas.NoticeQuery(), {"account_id": account_id, "event_id": event_id,
                                             "kind": kind, "limit": limit, "cursor": cursor})
        with self.db.uow(readonly=True) as uow:
            rows, next_cursor = Notices(uow.session).list(org_id, **query)
            items = [notice_dict(r) for r in rows]
        return dump(schemas.NoticePage(), {"items": items, "next_cursor": next_cursor})
