import pytest

from services.common.money import allocate, from_major, to_major


def test_minor_units_render_with_the_currency_exponent():
    assert to_major(1500, "EUR") == "15.00"
    assert to_major(5, "CAD") == "0.05"
    assert to_major(-250, "EUR") == "-2.50"
    assert to_major(1500, "JPY") == "1500"
    assert to_major(1500, "KWD") == "1.500"


def test_major_units_parse_exactly_and_refuse_extra_decimals():
    assert from_major("15.00", "EUR") == 1500
    assert from_major("0.1", "EUR") == 10
    with pytest.raises(ValueError):
        from_major("1.005", "EUR")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_major(15.0, "EUR")


@pytest.mark.parametrize("amount,weights", [(100, [1, 1, 1]), (1001, [3, 0, 7]), (7, [5]),
                                            (0, [1, 2])])
def test_allocation_loses_no_cent(amount, weights):
    shares = allocate(amount, weights)
    assert sum(shares) == amount
    assert all(s >= 0 for s in shares)
