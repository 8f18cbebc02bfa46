"""The parts of the federal benchmark that build worlds of their own: the evaluation waves
(tests/bench/federal_waves.py) and the network (tests/bench/federal_community.py).

Each needs a small world and a rollout of a shape that the applications' rollout does not have
(three waves of history around 20,000 enrollments; 5,000 members with their posts and projects).
Each therefore runs after the main part on the benchmark database made empty again (the kept
copies of the main part's two worlds are not touched), and its rows go into the same section of
BENCHMARKS.md under their own heading.
"""

import os
import time

PARTS = [
    ("waves", "Evaluation waves", "tests.bench.federal_waves"),
    ("community", "Network (Know-how-Transfer)", "tests.bench.federal_community"),
]


def log(text: str) -> None:
    print(text, flush=True)  # noqa: T201 - a benchmark reports as it goes


def _empty_database() -> None:
    from django.core.management import call_command
    from django.db import connections

    from .common import flush_redis, recreate_database
    from .federal_interleave import use
    from .federal_snapshot import live_name

    connections.close_all()
    recreate_database()
    flush_redis()
    use(live_name())  # the main part left the connection on one of its worlds
    call_command("migrate", verbosity=0, interactive=False)


def _rows(key: str, module) -> tuple[list[dict], str]:
    if key == "waves":
        rows = module.run()
        return rows, module.table(rows)
    found = module.run()["rows"]
    return found, module.format_rows(found)


def run(work=None) -> dict:
    """Each part on an empty benchmark database: its rows, its table (Markdown), its duration."""
    import importlib

    only = os.environ.get("BENCH_FEDERAL_EXTRAS", ",".join(key for key, _t, _m in PARTS)).split(",")
    results = {}
    for key, title, name in PARTS:
        if key not in only:
            continue
        log(f"  {title}: on an empty database …")
        started = time.monotonic()
        _empty_database()
        rows, table = _rows(key, importlib.import_module(name))
        results[key] = {
            "title": title,
            "rows": rows,
            "table": table,
            "seconds": round(time.monotonic() - started),
        }
    return results


def met(row: dict) -> bool:
    if "met" in row:
        return bool(row["met"])
    return bool(row["queries_constant"] and not row["seq_scans"] and row["time_met"])


def markdown(results: dict) -> list[str]:
    """The extra parts' lines for the federal section."""
    lines = []
    for part in results.values():
        missed = [row["name"] for row in part["rows"] if not met(row)]
        lines += [
            "",
            f"### {part['title']} (a world of its own, {part['seconds']} s)",
            "",
            part["table"],
            "",
            f"Missed: {', '.join(missed)}." if missed else "Every row met.",
        ]
    return lines
