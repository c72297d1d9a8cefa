"""R3.8 counts and lists, without a broker or a database."""
from services.registration.domain.participants import activity_report

OCCURRENCES = [{"id": "o1", "starts_at": "2026-03-03T09:00:00-05:00", "status": "scheduled"},
               {"id": "o2", "starts_at": "2026-03-10T09:00:00-04:00", "status": "cancelled"}]
CONFIRMED = [{"id": "r1", "kind": "session", "occurrence_id": None},
             {"id": "r2", "kind": "session", "occurrence_id": None},
             {"id": "r3", "kind": "a_la_carte", "occurrence_id": "o1"},
             {"id": "r4", "kind": "a_la_carte", "occurrence_id": "o2"},
             {"id": "r5", "kind": "a_la_carte", "occurrence_id": "o2"}]


def test_session_counts_in_every_occurrence_a_la_carte_in_its_own():
    report = activity_report("a1", OCCURRENCES, CONFIRMED)
    assert (report["session_count"], report["a_la_carte_count"]) == (2, 3)
    assert [(o["occurrence_id"], o["session_count"], o["a_la_carte_count"], o["status"])
            for o in report["occurrences"]] == [("o1", 2, 1, "scheduled"),
                                                 ("o2", 2, 2, "cancelled")]
    assert [r["id"] for r in report["items"]] == ["r1", "r2", "r3", "r4", "r5"]


def test_one_occurrence_and_one_kind():
    report = activity_report("a1", OCCURRENCES, CONFIRMED, occurrence_id="o2")
    assert (report["session_count"], report["a_la_carte_count"]) == (2, 2)
    assert [o["occurrence_id"] for o in report["occurrences"]] == ["o2"]
    assert [r["id"] for r in report["items"]] == ["r1", "r2", "r4", "r5"]
    only = activity_report("a1", OCCURRENCES, CONFIRMED, kind="a_la_carte", occurrence_id="o2")
    assert [r["id"] for r in only["items"]] == ["r4", "r5"]


def test_nobody_yet():
    report = activity_report("a1", OCCURRENCES, [])
    assert (report["session_count"], report["a_la_carte_count"], report["items"]) == (0, 0, [])
    assert [o["a_la_carte_count"] for o in report["occurrences"]] == [0, 0]
