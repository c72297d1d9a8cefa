"""Catalog's typed errors (registered so they cross RPC as themselves).

Importable without a database or a broker: the gateway imports this module so that these
errors arrive there as themselves.

A wrong org and a missing object are the same answer (contracts.md: "a wrong org is
``not_found``"). A body that names something that does not exist in the org (an unknown
``program_id``, ``service_id``, activity or membership type id) is invalid input: the
request is wrong, not the path, so it is a 400 ``validation_error`` with the field named.
"""
from services.common.errors import (BusinessRuleViolation, InvalidInput, NotFound,
                                    remote_error)


@remote_error
class CatalogNotFound(NotFound):
    """Base of the catalog's ``not_found`` errors; ``kind`` names what was looked for."""
    kind = "object"

    @classmethod
    def of(cls, object_id):
        return cls(f"no {cls.kind} {object_id} in this organisation", {"id": object_id})


@remote_error
class OrgNotFound(CatalogNotFound):
    kind = "organisation"


@remote_error
class ProgramNotFound(CatalogNotFound):
    kind = "program"


@remote_error
class ActivityNotFound(CatalogNotFound):
    kind = "activity"


@remote_error
class OccurrenceNotFound(CatalogNotFound):
    kind = "occurrence"


@remote_error
class ServiceNotFound(CatalogNotFound):
    kind = "service"


@remote_error
class PassTypeNotFound(CatalogNotFound):
    kind = "pass type"


@remote_error
class PassTypeTermsNotFound(CatalogNotFound):
    kind = "pass type terms version"


@remote_error
class BundleTypeNotFound(CatalogNotFound):
    kind = "bundle type"


@remote_error
class MembershipTypeNotFound(CatalogNotFound):
    kind = "membership type"


@remote_error
class SubscriptionPlanNotFound(CatalogNotFound):
    kind = "subscription plan"


@remote_error
class InvalidCatalogInput(InvalidInput):
    """400 ``validation_error`` raised by the catalog's rules (details: field -> messages,
    nested like the request body)."""


@remote_error
class OccurrenceExists(BusinessRuleViolation):
    """An activity already has a scheduled occurrence starting at that instant."""
    code = "occurrence_exists"


@remote_error
class ALaCarteInUse(BusinessRuleViolation):
    """R2.5: à la carte cannot be switched off while an active (held or confirmed) à la
    carte registration exists (details.active_registrations)."""
    code = "a_la_carte_in_use"


@remote_error
class NotEnoughUnsoldSeats(BusinessRuleViolation):
    """A seat conversion asks for more session seats than the session has (R2.6). Registration
    refuses with its own error of the same code when fewer are unsold."""
    code = "not_enough_unsold_seats"
