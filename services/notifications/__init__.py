"""Notifications: e-mails to clients about what concerns them (R7.4), from the events the
other services publish. Contract: docs/notifications.md."""
