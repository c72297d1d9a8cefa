"""The lease columns (``lease_owner``, ``lease_until``) of a leased table (checkouts,
subscriptions), written by conditional updates in the caller's transaction
(``domain/leases.py`` says what a lease is)."""
from sqlalchemy import or_, update


class Leases:
    def __init__(self, session, model):
        self.session = session
        self.model = model

    def free(self, now):
        """Condition: nobody holds the record, or its holder's lease lapsed."""
        return or_(self.model.lease_owner.is_(None), self.model.lease_until < now)

    def held_by(self, owner):
        return self.model.lease_owner == owner

    def take(self, owner, now, until, *where, **values) -> int:
        """Lease the free records matching ``where`` to ``owner``; how many it took."""
        return self.session.execute(
            update(self.model.__table__).where(*where, self.free(now))
            .values(lease_owner=owner, lease_until=until, **values)).rowcount

    def write(self, owner, *where, **values) -> bool:
        """Write ``values`` on the record if ``owner`` still holds it."""
        return self.session.execute(
            update(self.model.__table__).where(*where, self.held_by(owner))
            .values(**values)).rowcount == 1

    def release(self, owner, *where, **values) -> bool:
        return self.write(owner, *where, lease_owner=None, lease_until=None, **values)
