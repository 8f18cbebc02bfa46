"""Federal scale of the evaluation waves: the daily wave job and the pre/post dashboard in a small
world and after 20,000 enrollments with three waves of history, in one run on one database.

The small world holds one programme with its plan T0/T1/T2 and the day's due work: ten seats
accepted yesterday (T0 opens), ten certificates issued yesterday (T1 opens), ten issued 183 days
ago (T2 opens) and ten T0 invitations opened nine days ago without an answer (the first reminder
is due). The rollout adds 20,000 enrollments in 200 finished cohorts around it, with their T0,
T1 and T2 invitations and answers at realistic response rates (T0 65 %, T1 45 %, T2 30 %), the
invitation and reminder mails in the outbox; all their waves have closed, so the due work stays
the same and the job must find it by index among the history.

Each side is timed for ``rounds`` rounds (the job inside a transaction that is rolled back, so
each round meets the same state) and divided by its units of work: for the job the invitations
opened plus the invitations and reminders due, for the dashboard the invitations and answers it
aggregates. The small world exists only before the rollout, so the rounds of the two sides are
paired by their number, not interleaved. A comparison is met when the upper quartile of the
per-unit time ratio (large / small) stays within 1.5× and no plan reads a big table from end to
end (EXPLAIN).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python -m tests.bench.federal_waves

The database (its name must contain "bench") is dropped and created again. ``run()`` returns the
rows without printing, for a caller that already has a database; a caller with a small world and a
rollout of its own calls ``small_phase()`` next to its small-world measurements and
``large_phase(state)`` after its rollout, and prints the rows with ``table()``.
"""

import json
import os
import sys
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from .rounds import MIN_ROUNDS, Comparison, time_ratio_cell

TARGET = 1.5
ENROLLMENTS = 20_000
COHORT_SIZE = 100
RATES = {"t0": 0.65, "t1": 0.45, "t2": 0.30}
DUE_PEOPLE = 10
BIG_TABLES = {
    "cohorts_enrollment",
    "certificates_certificate",
    "evaluation_invitation",
    "evaluation_waveresponse",
    "evaluation_answer",
    "portal_outboxmessage",
    "portal_user",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- plans ---------------------------------------------------------------------------------------


def _scans(plan: dict, found: list) -> None:
    if plan.get("Relation Name"):
        found.append((plan.get("Node Type", ""), plan["Relation Name"], plan.get("Index Name", "")))
    for child in plan.get("Plans", []):
        _scans(child, found)


def seq_scans(statements: list[str], indexes: set | None = None) -> list[str]:
    """The big tables that any of ``statements`` reads from end to end (EXPLAIN, not run); the
    indexes the plans use are added to ``indexes``."""
    found = set()
    with connection.cursor() as cursor:
        for sql in dict.fromkeys(statements):
            if sql.lstrip().split(" ", 1)[0].upper() not in {"SELECT", "UPDATE", "DELETE"}:
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            raw = cursor.fetchone()[0]
            scans = []
            _scans((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"], scans)
            if indexes is not None:
                indexes |= {index for _node, _relation, index in scans if index}
            big = {relation for node, relation, _index in scans if node == "Seq Scan"} & BIG_TABLES
            if big and os.environ.get("BENCH_WAVES_VERBOSE"):
                log(f"    Seq Scan on {', '.join(sorted(big))}: {' '.join(sql.split())[:600]}")
            found |= big
    return sorted(found)


# --- measuring -----------------------------------------------------------------------------------


def _wave_job() -> int:
    from evaluation.tasks import run_waves

    result = run_waves()
    return result["opened"] + result["invited"]["due"] + result["reminded"]["due"]


def _dashboard(cohort_id: int | None):
    """What /auswertung/wellen/ reads: the response rates and the pre/post trends."""
    from evaluation import panel

    units = _unit_count(cohort_id)

    def read() -> int:
        panel.response_rates(cohort_id=cohort_id)
        panel.trends(cohort_id=cohort_id)
        return units

    return read


def measure(work, rounds: int) -> dict:
    """Per-unit seconds of ``rounds`` runs of ``work`` (rolled back), its units and big-table scans."""
    times, units, statements = [], 0, []
    for number in range(rounds + 1):  # the first round warms up and is not counted
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                units = work()
                elapsed = time.perf_counter() - started
            if number == 0:
                statements = [query["sql"] for query in captured.captured_queries]
            transaction.set_rollback(True)
        if number:
            times.append(elapsed / max(units, 1))
    indexes = set()
    big = seq_scans(statements, indexes)
    return {"per_unit": times, "units": units, "queries": len(statements), "seq_big": big, "indexes": indexes}


EXPORT_ROUNDS = 5


def _export() -> int:
    """The evaluators' ZIP of every wave (long.csv, wide.csv, codebook, manifest); its unit is a
    row of long.csv (an answer)."""
    import zipfile

    from evaluation.panel_export import build_zip

    archive = build_zip(cohort_id=None)
    try:
        with zipfile.ZipFile(archive) as opened, opened.open("long.csv") as long_csv:
            return max(sum(1 for _line in long_csv) - 1, 1)
    finally:
        archive.close()


def _export_peak_mib() -> float:
    """The export's peak of Python memory (tracemalloc), in MiB."""
    import tracemalloc

    tracemalloc.start()
    try:
        _export()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _unit_count(cohort_id) -> int:
    from evaluation.models import Answer, Invitation

    invitations = Invitation.objects.all()
    answers = Answer.objects.filter(item__competency=True, number__isnull=False)
    if cohort_id is not None:
        invitations = invitations.filter(enrollment__cohort_id=cohort_id)
        answers = answers.filter(response__invitation__enrollment__cohort_id=cohort_id)
    return invitations.count() + answers.count()


def _row(name: str, small: dict, large: dict) -> dict:
    comparison = Comparison(baseline=small["per_unit"], portal=large["per_unit"])
    within = comparison.at_most_time(TARGET)
    return {
        "name": name,
        "small_units": small["units"],
        "large_units": large["units"],
        "small_per_unit_ms": round(comparison.baseline_median() * 1000, 4),
        "large_per_unit_ms": round(comparison.portal_median() * 1000, 4),
        "queries": (small["queries"], large["queries"]),
        "ratio": time_ratio_cell(comparison),
        "seq_scans": large["seq_big"],
        "certificate_indexes": sorted(i for i in large["indexes"] if i.startswith("certificate")),
        "met": within and not large["seq_big"],
    }


def _measure_all(scoped: int, rounds: int) -> dict:
    from . import federal_waves_world as world

    world.analyze()
    export = measure(_export, EXPORT_ROUNDS)
    export["peak_mib"] = round(_export_peak_mib(), 1)
    return {
        "job": measure(_wave_job, rounds),
        "cohort": measure(_dashboard(scoped), rounds),
        "programme": measure(_dashboard(None), rounds),
        "export": export,
    }


def small_phase(*, rounds: int = MIN_ROUNDS) -> dict:
    """Build the small world and measure it; the state for ``large_phase``."""
    from . import federal_waves_world as world

    log("  waves: building the small world …")
    state = {"world": world.small_world(DUE_PEOPLE), "rounds": rounds}
    state["small"] = _measure_all(state["world"]["history_cohort"], rounds)
    return state


def large_phase(state: dict, *, enrollments: int | None = None) -> list[dict]:
    """Grow the rollout around the small world, measure again; one row per comparison."""
    from . import federal_waves_world as world

    enrollments = enrollments or int(os.environ.get("BENCH_WAVES_ENROLLMENTS", ENROLLMENTS))
    log(f"  waves: building {enrollments} enrollments with three waves …")
    started = time.monotonic()
    world.grow(state["world"], enrollments, COHORT_SIZE, RATES)
    log(f"  waves: rollout built in {time.monotonic() - started:.0f} s; measuring …")
    small, large = state["small"], _measure_all(state["world"]["history_cohort"], state["rounds"])
    return [
        _row("Wave job (run_waves), due work present", small["job"], large["job"]),
        _row("Pre/post dashboard, one cohort", small["cohort"], large["cohort"]),
        _reads_all_row(
            "Pre/post dashboard, whole programme (the snapshot beat computes; the page reads it)",
            small["programme"],
            large["programme"],
        ),
        _export_row(small["export"], large["export"]),
    ]


def _reads_all_row(name: str, small: dict, large: dict) -> dict:
    """Aggregates and exports of the whole history read all of it by design: their plans are
    reported, not held against them; they are met when their time per unit stays within the
    target."""
    row = _row(name, {**small, "seq_big": []}, {**large, "seq_big": []})
    row["seq_scans"] = [f"{table} (reads all, by design)" for table in large["seq_big"]]
    return row


def _export_row(small: dict, large: dict) -> dict:
    """The export is met as aggregates are, and when its memory does not grow with the rows."""
    row = _reads_all_row(
        f"Waves export (ZIP, {EXPORT_ROUNDS} rounds), per long.csv row; Python peak "
        f"{small['peak_mib']} → {large['peak_mib']} MiB",
        small,
        large,
    )
    row["met"] = row["met"] and large["peak_mib"] <= max(4 * small["peak_mib"], 32)
    return row


def run(work=None, *, enrollments: int | None = None, rounds: int = MIN_ROUNDS) -> list[dict]:
    """Both phases in one go, for a database of its own."""
    return large_phase(small_phase(rounds=rounds), enrollments=enrollments)


def table(rows: list[dict]) -> str:
    lines = [
        "| Measured | Units small → large | ms per unit small → large | large / small per unit "
        f"(target ≤ {TARGET}×) | Seq Scan on big tables | Verdict |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['small_units']} → {row['large_units']} | "
            f"{row['small_per_unit_ms']} → {row['large_per_unit_ms']} | {row['ratio']} | "
            f"{', '.join(row['seq_scans']) or 'none'} | {'met' if row['met'] else 'NOT met'} |"
        )
    return "\n".join(lines)


def main() -> int:
    import tempfile

    from .common import configure_environment, flush_redis, recreate_database

    configure_environment(tempfile.mkdtemp(prefix="portal-bench-waves-"))
    recreate_database()
    flush_redis()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    rows = run()
    print(table(rows))
    for row in rows:
        if row["certificate_indexes"]:
            print(f"{row['name']}: certificates read by {', '.join(row['certificate_indexes'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
