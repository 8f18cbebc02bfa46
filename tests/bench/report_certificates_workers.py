"""Certificates through the real worker in the report: its rows of the summary table and its
section of BENCHMARKS.md (see ``certificates_workers``)."""

from .certificates_workers import LARGE_ROUNDS, ROUND_SIZE, ROUNDS, WORKERS
from .report_format import md_table, met, s
from .rounds import Comparison, time_ratio_cell
from .worker_profile import QUERIES, REST, TOTAL

COHORT_SHARE = 0.30  # 2 workers' wall time, as a share of the plain sequential renders
PROCESS_FACTOR = 2.0  # a worker's wall time per certificate, as a multiple of the same steps in one process


def summary_rows(workers: dict) -> list[tuple[str, ...]]:
    """(section, figure, baseline, portal, ratio, target, verdict)"""
    out = []
    for key in ("small", "large"):
        part = workers[key]
        size, versus = part["size"], part["baseline"]
        out.append(
            (
                "Certificates",
                f"{size} certificates: {size} plain sequential renders vs. issued to {WORKERS} Celery "
                "workers (stored and mailed), median",
                s(versus.baseline_median()),
                s(versus.portal_median()),
                time_ratio_cell(versus),
                f"≤ {COHORT_SHARE:.2f} of the time",
                met(versus.at_most_time(COHORT_SHARE)),
            )
        )
    for key in ("small", "large"):
        part = workers[key]
        versus = part["process"]
        out.append(
            (
                "Certificates",
                f"a worker's wall time per certificate vs. the same steps in one process ({part['size']} "
                "certificates)",
                f"{versus.baseline_median() * 1000:.1f} ms",
                f"{versus.portal_median() * 1000:.1f} ms",
                f"{comparison_ratio(versus)} the time",
                f"≤ {PROCESS_FACTOR:.0f}× the time",
                met(versus.at_most_time(PROCESS_FACTOR)),
            )
        )
    return out


def comparison_ratio(comparison: Comparison) -> str:
    q1, q2, q3 = comparison.time_ratio()
    return f"{q2:.2f}× (IQR {q1:.2f}–{q3:.2f}×, {comparison.rounds} rounds)"


def section(workers: dict) -> list[str]:
    return [
        "### Cohorts through the real worker",
        "",
        f"Each round issues a fresh cohort of graduates three times over, in alternating order: "
        f"**baseline**, plain WeasyPrint rendering the certificates' HTML (the whole page) one after "
        "another, with the shipped fonts through the portal's fontconfig, one `FontConfiguration` and "
        "the stylesheets parsed once, the HTML prepared outside the timer; **workers**, "
        f"`issue_certificates` with {WORKERS} Celery worker processes (`celery worker "
        "--concurrency=2`, Redis broker, PostgreSQL) running since before the rounds, timed from the call "
        "until every certificate is stored and every one of their mails sent; **in process**, the same "
        "call with the tasks run eagerly in the benchmark's process. Every certificate is credentialled, "
        f"sealed, stored and mailed. {ROUNDS} rounds of {ROUND_SIZE} certificates (after one discarded "
        f"round), then {LARGE_ROUNDS} rounds of 100 (100-certificate rounds are too long for 20); "
        "medians with the interquartile range, a target met only at the unfavourable quartile.",
        "",
        *md_table(
            ["", "Baseline", "Portal", "Ratio", "Target"],
            [list(row[1:6]) for row in summary_rows(workers)],
        ),
        "",
        *_profile(workers),
    ]


def _profile(workers: dict) -> list[str]:
    process, worker = workers["profile"], workers["worker_profile"]
    names = [name for name in process["steps"] if name not in {TOTAL, REST}]
    names += [name for name in worker["steps"] if name not in {*names, TOTAL}]

    def cell(profile: dict, name: str) -> str:
        return f"{profile['steps'][name]:.1f} ms" if name in profile["steps"] else ""

    rows = [[name, cell(process, name), cell(worker, name)] for name in names]
    rows += [[REST, cell(process, REST), ""], [TOTAL, cell(process, TOTAL), cell(worker, TOTAL)]]
    return [
        "#### Where a certificate's time goes",
        "",
        "A cohort of 100 once more, in this process with every step timed, and through two worker "
        "processes that time the same steps (`tests/bench/profiled_worker.py`): per certificate, each "
        f"step's own time (a query inside a step counts as {QUERIES!r} only), summed over both "
        "processes. The worker's total is each process's time from its first task's start to its last "
        "task's end, summed and divided by the certificates: a worker's wall time per certificate.",
        "",
        *md_table(["step", "in process", "in the workers"], rows),
        "",
        f"Database queries per certificate: {process['queries_per_certificate']:.1f} in process, "
        f"{worker['queries_per_certificate']:.1f} in the workers (mail sending included). Redis "
        f"processed {workers['large']['redis_commands_per_certificate']:.1f} commands per certificate "
        "while the workers issued a cohort of 100 (the server's own counter: issuing, tasks and mail "
        "included). Tasks the workers ran: "
        + ", ".join(f"{name} {count}" for name, count in sorted(worker["tasks"].items()))
        + ".",
        "",
    ]
