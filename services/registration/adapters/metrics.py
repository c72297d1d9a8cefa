"""Registration's gauges, read from its database at scrape time
(services/common/observability.py): holds and confirmed registrations, seats taken and
offered, across every org of this deployment."""
from sqlalchemy import func, select

from services.common.observability import register_gauge

from .models import Registration, SeatPool, is_active


def _registrations(engine):
    with engine.connect() as conn:
        rows = conn.execute(select(Registration.status, func.count())
                            .where(is_active(Registration.status))
                            .group_by(Registration.status)).all()
    counts = dict.fromkeys(("held", "confirmed"), 0) | {status: n for status, n in rows}
    return [((status,), n) for status, n in counts.items()]


def _seats(engine):
    with engine.connect() as conn:
        taken, capacity = conn.execute(select(func.coalesce(func.sum(SeatPool.taken), 0),
                                              func.coalesce(func.sum(SeatPool.capacity), 0))
                                       ).one()
    return [(("taken",), taken), (("capacity",), capacity)]


register_gauge("carnet_registrations", "Registrations holding a seat, by status (R3.1)",
               ["status"], _registrations)
register_gauge("carnet_seats", "Seats taken and offered in the known seat pools", ["kind"],
               _seats)
