"""R3.8: per activity, staff see counts and participants for session and à la carte apart,
per occurrence. A session registration is a participant of every occurrence."""
from .rules import A_LA_CARTE, SESSION


def activity_report(activity_id, occurrences, registrations, kind=None, occurrence_id=None):
    """``occurrences``: the catalog's, in order; ``registrations``: the confirmed ones (dicts
    with ``kind`` and ``occurrence_id``). ``occurrence_id`` narrows counts and list to one
    occurrence, ``kind`` narrows the list."""
    session = [r for r in registrations if r["kind"] == SESSION]
    per_occurrence = {}
    for r in registrations:
        if r["kind"] == A_LA_CARTE:
            per_occurrence[r["occurrence_id"]] = per_occurrence.get(r["occurrence_id"], 0) + 1
    rows = [{"occurrence_id": o["id"], "starts_at": o.get("starts_at"),
             "status": o.get("status"), "session_count": len(session),
             "a_la_carte_count": per_occurrence.get(o["id"], 0)}
            for o in occurrences if not occurrence_id or o["id"] == occurrence_id]
    items = [r for r in registrations
             if (not kind or r["kind"] == kind)
             and (not occurrence_id or r["kind"] == SESSION
                  or r["occurrence_id"] == occurrence_id)]
    a_la_carte_count = per_occurrence.get(occurrence_id, 0) if occurrence_id \
        else sum(per_occurrence.values())
    return {"activity_id": activity_id, "session_count": len(session),
            "a_la_carte_count": a_la_carte_count, "occurrences": rows, "items": items}
