"""Marshmallow contracts of billing's RPC methods and events (docs/contracts.md), also used
by the gateway's routes so that both validate the same way.

Input schemas refuse unknown fields. Output schemas carry what the service already made
JSON-ready (times as RFC 3339 strings), so dumping them again is the identity.

Split by topic (one module was over 400 lines); import them from here.
"""
from .sales import *  # noqa: F401,F403
from .refunds_reports import *  # noqa: F401,F403
