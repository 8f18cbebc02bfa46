"""``make bench``: run every benchmark, print the table and write BENCHMARKS.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python -m tests.bench.run

The database (its name must contain "bench") is dropped and created again; the Redis database
is emptied. Both default to the values above. Options: ``--only certificates,rush,pages`` and
``--output FILE`` (default BENCHMARKS.md; ``-`` writes no file).
"""

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .common import ROOT, BenchError, configure_environment, flush_redis, recreate_database

PARTS = ["pages", "certificates", "certificates_workers", "rush", "fanout"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument(
        "--scale",
        choices=["default", "federal"],
        default="default",
        help="federal: the pages and jobs in a small world and after a simulated nationwide rollout",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="federal: measure the two worlds kept by an earlier federal run instead of building them",
    )
    return parser


def main(argv=None) -> int:
    options = _parser().parse_args(argv)
    parts = [part for part in PARTS if part in options.only.split(",")]
    if options.scale == "federal":
        parts = ["federal", "federal_extras"]
        if options.reuse:
            os.environ["BENCH_FEDERAL_REUSE"] = "1"

    work = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    started = time.monotonic()
    try:
        _prepare(work)
        results = _run_parts(parts, work)
        results["duration"] = time.monotonic() - started
        if options.scale == "federal":
            _write_federal(results, options.output)
        else:
            _write(results, parts, options.output)
        return 0
    except BenchError as error:
        log(f"Benchmark failed: {error}")
        for name in ("gunicorn.log", "celery-worker.log"):
            path = work / name
            if path.exists():
                log(f"--- last lines of {name} ---")
                log("\n".join(path.read_text(errors="replace").splitlines()[-30:]))
        return 1
    finally:
        with contextlib.suppress(Exception):  # cleaning up after a failure must not hide it
            flush_redis()
        shutil.rmtree(work, ignore_errors=True)
        os.environ.pop("DJANGO_MEDIA_ROOT", None)


def _prepare(work: Path) -> None:
    """A fresh database and Redis database, Django set up and migrated."""
    configure_environment(str(work / "media"))
    log("Setting up the benchmark database …")
    recreate_database()
    flush_redis()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _run_parts(parts: list[str], work: Path) -> dict:
    results = {"load": {}}
    for part in parts:
        results["load"][part] = os.getloadavg()[0]
        log(f"Running: {part} (load average {results['load'][part]:.1f}) …")
        part_started = time.monotonic()
        module = __import__(f"tests.bench.{part}", fromlist=["run"])
        results[part] = module.run() if part == "pages" else module.run(work)
        log(f"  {part} took {time.monotonic() - part_started:.0f} s")
    return results


def _write_federal(results: dict, output_name: str) -> None:
    from . import federal_extras, federal_report

    print(federal_report.table(results["federal"]))
    extra = federal_extras.markdown(results.get("federal_extras", {}))
    print("\n".join(extra))
    if output_name != "-":
        output = Path(output_name)
        existing = output.read_text() if output.exists() else ""
        section = federal_report.markdown(results["federal"], extra)
        output.write_text(federal_report.splice(existing, section))
        log(f"Wrote the federal section of {output.name} ({results['duration']:.0f} s in all).")


def _write(results: dict, parts: list[str], output_name: str) -> None:
    from . import federal_report, report
    from .common import machine

    results["machine"] = machine()
    print(report.table(results))
    if output_name != "-":
        output = Path(output_name)
        document = report.markdown(results, parts)
        existing = output.read_text() if output.exists() else ""
        start, end = federal_report.START, federal_report.END
        if start in existing:  # a federal run's section stays until the next one
            kept = start + existing.split(start, 1)[1].split(end, 1)[0] + end
            document = federal_report.splice(document, kept + "\n")
        output.write_text(document)
        log(f"Wrote {Path(output_name).name} ({results['duration']:.0f} s in all).")


if __name__ == "__main__":
    sys.exit(main())
