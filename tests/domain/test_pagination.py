import pytest

from services.common.errors import InvalidInput
from services.common.pagination import decode_cursor, encode_cursor, page


def test_cursor_round_trip_and_last_page():
    items, cursor = page(range(51), 50, 0)
    assert len(items) == 50 and decode_cursor(cursor) == 50
    items, cursor = page(range(3), 50, 50)
    assert list(items) == [0, 1, 2] and cursor is None


@pytest.mark.parametrize("bad", ["garbage", encode_cursor(-1)])
def test_a_forged_cursor_is_a_validation_error(bad):
    with pytest.raises(InvalidInput) as info:
        decode_cursor(bad)
    assert "cursor" in info.value.details
