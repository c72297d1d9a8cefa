"""A refusal a service passes on from a peer reaches its caller as one of the service's own
contract errors, with the peer's code, message and details (issue 12)."""
import pytest

from services.billing.contract import errors as billing_errors
from services.common.errors import BusinessRuleViolation, ServiceUnavailable
from services.common.peers import in_own_words, refusals_in_own_words
from services.registration.contract import errors as registration_errors


def test_a_peer_refusal_becomes_the_callers_error_with_the_same_code_message_and_details():
    sold_out = registration_errors.SoldOut("no seat left", {"occurrence_id": "occ_1"})
    with pytest.raises(billing_errors.SeatSoldOut) as raised:
        with refusals_in_own_words(billing_errors):
            raise sold_out
    assert isinstance(raised.value, BusinessRuleViolation)
    assert raised.value.to_dict() == sold_out.to_dict()


def test_a_shared_category_and_a_refusal_without_a_word_pass_unchanged():
    down = ServiceUnavailable("no answer")
    assert in_own_words(down, billing_errors) is down
    closed = registration_errors.SeatConversionAbandoned("abandoned")
    assert in_own_words(closed, billing_errors) is closed
