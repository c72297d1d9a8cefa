"""What a use case is given: built by ``service.py`` for each call."""
from dataclasses import dataclass
from typing import Any

from ..adapters.peers import Peers


@dataclass(frozen=True)
class Context:
    db: Any        # services.common.uow.Database: ``ctx.db.uow()``
    clock: Any     # ``ctx.clock.now()``: aware UTC
    peers: Peers   # registration, with time limits
