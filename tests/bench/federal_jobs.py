"""The federal benchmark's background jobs: each as its Celery task calls it, with a clock, the
amount of work it did, and the plan of every statement it sends.

A job runs inside a transaction that is rolled back, so each run meets the same state: one run
whose statements are read with ``EXPLAIN``, then :data:`JOB_ROUNDS` timed runs. A job is met when
none of its statements reads a big table from end to end and, for the same amount of work, its
time stays within 1.5× of the small world's. Where the work itself grows with the rollout (the
evaluation aggregates every application and participant of the programme), the time is compared
per unit of work.
"""

import json

from django.db import connection
from django.utils import timezone

JOB_ROUNDS = 20
JOB_LIMIT = 1.5
# The tables that grow with a rollout; a job must not read any of them from end to end. The
# municipalities are reference data (about 11,000 in Germany, loaded once), read whole where a
# job lists districts; their scans are shown in the plans but are no verdict.
BIG_TABLES = {
    "applications_application",
    "applications_score",
    "applications_reviewnote",
    "applications_statuschange",
    "cohorts_enrollment",
    "modules_attendance",
    "modules_tasksubmission",
    "certificates_certificate",
    "portal_outboxmessage",
    "portal_user",
}


def _scans(plan: dict, found: list) -> None:
    relation = plan.get("Relation Name")
    if relation:
        found.append((plan.get("Node Type", ""), relation, plan.get("Index Name", "")))
    for child in plan.get("Plans", []):
        _scans(child, found)


def explain(statements: list[str]) -> list[dict]:
    """The plan of each distinct statement: which tables it reads and how."""
    plans, seen = [], set()
    with connection.cursor() as cursor:
        for sql in statements:
            verb = sql.lstrip().split(" ", 1)[0].upper()
            if verb not in {"SELECT", "UPDATE", "DELETE", "INSERT"} or sql in seen:
                continue
            seen.add(sql)
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            raw = cursor.fetchone()[0]
            plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
            scans = []
            _scans(plan, scans)
            plans.append(
                {
                    "statement": " ".join(sql.split())[:160],
                    "scans": scans,
                    "seq_big": sorted(
                        {rel for node, rel, _i in scans if node == "Seq Scan" and rel in BIG_TABLES}
                    ),
                }
            )
    return plans


def count_work(result) -> int:
    """How much a job did, from what it returns: reminders due, mails handed on, rows anonymised."""
    if isinstance(result, dict):
        if "due" in result:
            return int(result["due"])
        return sum(value for value in result.values() if isinstance(value, int))
    if isinstance(result, int):
        return result
    if isinstance(result, list):
        return len(result)
    return 0


def _programme_rows() -> int:
    """The evaluation's work: the applications and participants of the portal's programme."""
    from applications.models import Application
    from cohorts.models import Enrollment
    from cohorts.selectors import programme_slug

    return (
        Application.objects.filter(cohort__programme__slug=programme_slug()).count()
        + Enrollment.objects.filter(cohort__programme__slug=programme_slug()).count()
    )


def catalogue(world, extra: dict) -> dict:
    """Every job by name: (call, how its work is counted or None to count it from the result)."""
    from applications.decisions import promote_from_waitlist
    from cohorts.models import Cohort
    from evaluation.selectors import dashboard_statistics
    from portal import mail
    from portal.mail import reminders
    from portal.privacy.registry import run_retention

    mail.registry._discover_send_checks()
    found = {}
    for kind, rule in sorted(reminders._rules.items()):
        found[f"Reminders: {kind}"] = (lambda rule=rule: reminders.dispatch(rule, now=timezone.now()), None)
    found["Retention and anonymisation"] = (lambda: run_retention(at=timezone.now()), None)
    found["Outbox flush"] = (lambda: mail.flush_due(now=timezone.now()), None)

    def promote():
        cohort = Cohort.objects.select_for_update().get(pk=world.open.pk)
        return promote_from_waitlist(cohort=cohort, at=timezone.now())

    found["Waiting-list promotion"] = (promote, None)
    found["Evaluation aggregates"] = (lambda: dashboard_statistics(), _programme_rows)
    found.update(extra)
    return found
