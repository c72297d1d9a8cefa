"""What a use case works with, built by ``service.py`` for each call."""
from dataclasses import dataclass
from types import ModuleType

from ..adapters.peers import Peers


@dataclass(frozen=True)
class Context:
    db: object            # the Database dependency: ``ctx.db.uow()``
    clock: object         # ``ctx.clock.now()``
    peers: Peers          # catalog, accounts, passes (adapters/peers.py)
    settings: ModuleType  # adapters/settings.py
