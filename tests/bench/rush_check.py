"""The deadline rush's verdict (rush.py): every answer against the deadline, and the database
against the answers."""

import datetime as dt

# The deadline error of applications.services (German: the applicants' language).
# It names the cohort's end ("um 24:00 Uhr") or, as in this rush, the extension's own end.
CLOSED_MESSAGE = b"Uhr abgelaufen"


def check(results, drafts_by_pk: dict, until: dt.datetime) -> dict:
    """Every answer against the deadline and the database."""
    outcome, accepted_pks = _answers(results, until.timestamp())
    outcome.update(_database(drafts_by_pk, accepted_pks, until))
    return outcome


def _answers(results, deadline: float) -> tuple[dict, set]:
    """Each answer against the deadline; the applications accepted."""
    outcome = {
        "accepted": 0,
        "refused": 0,
        "accepted_before_deadline": 0,
        "refused_after_deadline": 0,
        "in_flight_at_deadline": 0,
        "wrong": [],
        "server_errors": 0,
        "other": 0,
    }
    accepted_pks = set()
    for result in results:
        if result.status >= 500:
            outcome["server_errors"] += 1
        if result.status == 302:
            outcome["accepted"] += 1
            accepted_pks.add(result.request.tag)
            if result.sent > deadline:
                outcome["wrong"].append(f"accepted although sent after the deadline: {result.request.tag}")
        elif result.status == 400 and CLOSED_MESSAGE in result.body:
            outcome["refused"] += 1
            if result.received < deadline:
                outcome["wrong"].append(
                    f"refused although answered before the deadline: {result.request.tag}"
                )
        else:
            outcome["other"] += 1
            outcome["wrong"].append(f"answer {result.status} for {result.request.tag}")
        if result.received < deadline:
            outcome["accepted_before_deadline"] += result.status == 302
        elif result.sent > deadline:
            outcome["refused_after_deadline"] += result.status == 400
        else:
            outcome["in_flight_at_deadline"] += 1
    return outcome, accepted_pks


def _database(drafts_by_pk: dict, accepted_pks: set, until: dt.datetime) -> dict:
    """The applications as the database holds them after the rush, against the answers."""
    from applications.models import Application

    outcome = {}
    rows = {a.pk: a for a in Application.objects.filter(pk__in=list(drafts_by_pk))}
    submitted = [a for a in rows.values() if a.status == Application.Status.SUBMITTED]
    sequences = sorted(a.sequence for a in submitted)
    outcome["numbers_gapless"] = sequences == list(range(1, len(submitted) + 1))
    outcome["numbers_unique"] = len({a.reference for a in submitted}) == len(submitted)
    outcome["database_matches_answers"] = {a.pk for a in submitted} == accepted_pks
    outcome["submitted_before_deadline"] = all(a.submitted_at < until for a in submitted)
    kept = 0
    for pk, draft in drafts_by_pk.items():
        if pk in accepted_pks:
            continue
        row = rows[pk]
        kept += (
            row.status == Application.Status.DRAFT
            and row.sequence is None
            and row.reference == ""
            and row.motivation == draft.motivation
            and row.updated_at == draft.updated_at
        )
    outcome["drafts_kept"] = kept
    outcome["numbers"] = f"{sequences[0]}–{sequences[-1]}" if sequences else "none"
    return outcome
