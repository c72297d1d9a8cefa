"""What a use case gets: built by ``service.py`` for each call."""
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Context:
    db: Any      # the Database dependency: ``ctx.db.uow()``
    clock: Any   # ``ctx.clock.now()``
    peers: Any   # adapters.peers.Peers: accounts, catalog and billing, by RPC
    sender: Any  # adapters.smtp.SmtpSender
