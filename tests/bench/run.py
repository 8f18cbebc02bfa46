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

PARTS = ["pages", "certificates", "rush", "fanout"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv=None) -> int:
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
    options = parser.parse_args(argv)
    parts = [part for part in PARTS if part in options.only.split(",")]
    if options.scale == "federal":
        parts = ["federal"]

    work = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    started = time.monotonic()
    try:
        configure_environment(str(work / "media"))
        log("Setting up the benchmark database …")
        recreate_database()
        flush_redis()
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)

        from . import report

        results = {"load": {}}
        for part in parts:
            results["load"][part] = os.getloadavg()[0]
            log(f"Running: {part} (load average {results['load'][part]:.1f}) …")
            part_started = time.monotonic()
            module = __import__(f"tests.bench.{part}", fromlist=["run"])
            results[part] = module.run() if part == "pages" else module.run(work)
            log(f"  {part} took {time.monotonic() - part_started:.0f} s")
        results["duration"] = time.monotonic() - started
        if options.scale == "federal":
            from . import federal

            print(federal.table(results["federal"]))
            if options.output != "-":
                output = Path(options.output)
                existing = output.read_text() if output.exists() else ""
                output.write_text(federal.splice(existing, federal.markdown(results["federal"])))
                log(f"Wrote the federal section of {output.name} ({results['duration']:.0f} s in all).")
            return 0
        from .common import machine

        results["machine"] = machine()
        print(report.table(results))
        if options.output != "-":
            output = Path(options.output)
            document = report.markdown(results, parts)
            existing = output.read_text() if output.exists() else ""
            from . import federal

            if federal.START in existing:  # a federal run's section stays until the next one
                kept = (
                    federal.START + existing.split(federal.START, 1)[1].split(federal.END, 1)[0] + federal.END
                )
                document = federal.splice(document, kept + "\n")
            output.write_text(document)
            log(f"Wrote {Path(options.output).name} ({results['duration']:.0f} s in all).")
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


if __name__ == "__main__":
    sys.exit(main())
