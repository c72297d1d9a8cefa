"""What a use case gets: built by ``service.py`` for each call."""
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from ..adapters.peers import Peers


@dataclass(frozen=True)
class Context:
    db: object      # the Database dependency: ``ctx.db.uow()``
    clock: object   # ``ctx.clock.now()``
    peers: Peers


def sale_key(*parts):
    """An idempotency key of a sale (invoice, product, holder, cart item) or a grant."""
    return "|".join(part or "-" for part in parts)


def once(write, recorded):
    """``write()``, unless a concurrent request records the same thing first (a unique key
    refuses ours): then what it recorded, ``recorded()`` (None: the refusal was something
    else, raised as it is)."""
    try:
        return write()
    except IntegrityError:
        found = recorded()
        if found is None:
            raise
        return found
