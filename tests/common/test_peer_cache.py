from services.common.cache import PeerCache


class Ticks:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_cached_value_is_fetched_once_until_it_expires():
    ticks, asked = Ticks(), []
    cache = PeerCache(seconds=5, clock=ticks)
    fetch = lambda: asked.append(1) or len(asked)  # noqa: E731
    assert cache.get("org_1", fetch) == 1
    ticks.now = 4.9
    assert cache.get("org_1", fetch) == 1
    ticks.now = 5.1
    assert cache.get("org_1", fetch) == 2


def test_the_oldest_entries_go_first_past_the_size_and_a_failed_fetch_keeps_nothing():
    cache = PeerCache(size=2)
    for key in ("a", "b", "c"):
        cache.get(key, lambda: key.upper())
    assert cache.get("a", lambda: "again") == "again"      # evicted, asked again
    assert cache.get("c", lambda: "unused") == "C"

    def broken():
        raise RuntimeError("peer down")
    try:
        cache.get("d", broken)
    except RuntimeError:
        pass
    assert cache.get("d", lambda: "D") == "D"
