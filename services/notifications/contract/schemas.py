"""Marshmallow contracts of notifications's RPC methods (docs/notifications.md), also used
by the gateway's route for a client's notification preferences."""
from services.common.pagination import MAX_LIMIT
from services.common.schemas import Contract, fields, validate

from . import vocabulary as rules


class PreferencesIn(Contract):
    """What a client turns on or off; omitted fields keep their value. Transactional
    notices (receipts, cancellations, declined renewals …) cannot be turned off."""
    reminders = fields.Boolean(metadata={"description": "appointment reminders"})
    pass_alerts = fields.Boolean(metadata={"description": "pass about to expire, last use left"})


class PreferencesOut(Contract):
    account_id = fields.String(required=True)
    reminders = fields.Boolean(required=True)
    pass_alerts = fields.Boolean(required=True)
    transactional = fields.List(fields.String(), required=True,
                                metadata={"description": "kinds always sent"})
    updated_at = fields.String(allow_none=True)


class NoticeQuery(Contract):
    account_id = fields.String(load_default=None, validate=validate.Length(max=64))
    event_id = fields.String(load_default=None, validate=validate.Length(max=200))
    kind = fields.String(load_default=None, validate=validate.OneOf(rules.KINDS))
    limit = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))


class NoticeOut(Contract):
    id = fields.String(required=True)
    org_id = fields.String(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    kind = fields.String(required=True)
    account_id = fields.String(required=True)
    state = fields.String(required=True,
                          metadata={"description": "pending | sent | failed | skipped"})
    reason = fields.String(allow_none=True)
    attempts = fields.Integer(required=True)
    email = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    message_id = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    sent_at = fields.String(allow_none=True)


class NoticePage(Contract):
    items = fields.List(fields.Nested(NoticeOut), required=True)
    next_cursor = fields.String(allow_none=True)
