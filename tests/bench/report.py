"""The table printed by ``make bench`` and the BENCHMARKS.md it writes. Each part's rows of the
summary and its section live next to each other: report_certificates.py, report_rush.py,
fanout_report.py; the page costs are here."""

import datetime as dt

from . import report_certificates, report_certificates_workers, report_rush
from .report_format import md_table, met, ms, yes
from .rounds import Comparison


def rows(results: dict) -> list[tuple[str, ...]]:
    """(section, figure, baseline, portal, ratio, target, verdict)"""
    out = []
    if results.get("certificates"):
        out += report_certificates.summary_rows(results["certificates"])
    if results.get("certificates_workers"):
        out += report_certificates_workers.summary_rows(results["certificates_workers"])
    if results.get("rush"):
        out += report_rush.summary_rows(results["rush"])
    if results.get("pages"):
        out += _page_rows(results["pages"])
    if results.get("fanout"):
        from .fanout_report import summary_rows

        out += summary_rows(results["fanout"])
    return out


def _ratio(small: dict, large: dict) -> str:
    """The larger size's time over the smaller's: the median of round-by-round ratios with their
    interquartile range (the sizes cannot alternate: each is grown from the one before)."""
    if not small.get("times") or not large.get("times"):
        return f"{large['time'] / small['time']:.1f}×"
    q1, q2, q3 = Comparison(baseline=small["times"], portal=large["times"]).time_ratio()
    return f"{q2:.1f}× (IQR {q1:.1f}–{q3:.1f}, {len(large['times'])} rounds)"


def _page_rows(pages: dict) -> list[tuple[str, ...]]:
    out = []
    for name, sizes in pages["pages"].items():
        small, large = sizes[min(sizes)], sizes[max(sizes)]
        queries = [sizes[size]["queries"] for size in sorted(sizes)]
        statuses = {sizes[size]["status"] for size in sizes}
        out.append(
            (
                "Pages",
                f"{name}: at {min(sizes):,} (baseline) and {max(sizes):,}",
                f"{small['queries']} queries, {ms(small['time'])}",
                f"{large['queries']} queries, {ms(large['time'])}",
                _ratio(small, large) + " the time",
                "queries equal",
                met(len(set(queries)) == 1 and statuses == {200}),
            )
        )
    return out


def table(results: dict) -> str:
    header = ("Section", "Figure", "Baseline", "Portal", "Ratio", "Target", "")
    lines = [header, *rows(results)]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    text = []
    for index, line in enumerate(lines):
        text.append(
            "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )
        if index == 0:
            text.append("  ".join("-" * width for width in widths))
    return "\n".join(text)


def _pages_section(results: dict) -> list[str]:
    pages, cohorts = results["pages"], results["cohorts"]
    sizes = sorted(next(iter(pages.values())))
    header = ["page", *[f"queries at {size:,}" for size in sizes], *[f"time at {size:,}" for size in sizes]]
    header += [f"time {sizes[-1]:,}/{sizes[0]:,}", "queries equal"]
    body = []
    for name, measured in pages.items():
        queries = [measured[size]["queries"] for size in sizes]
        statuses = {measured[size]["status"] for size in sizes}
        body.append(
            [
                name if statuses == {200} else f"{name} (HTTP {', '.join(map(str, sorted(statuses)))})",
                *queries,
                *[ms(measured[size]["time"]) for size in sizes],
                _ratio(measured[sizes[0]], measured[sizes[-1]]),
                yes(len(set(queries)) == 1),
            ]
        )
    return [
        "## 3. Page cost as data grows",
        "",
        "Five pages at 10, 1,000 and 10,000 applications and participants. The measured cohort keeps its "
        "10 participants and the measured people stay the same; around them the data grows in cohorts "
        "of 25, each participant with an accepted application, attendance at all five sessions and five "
        "accepted practical tasks. Each page is requested through Django's test client (full middleware, "
        "no HTTP) by the person who uses it: the public, an applicant, a reviewer, the cohort's "
        "coordinator, a participant; queries counted once, time is the median of 20 requests after two "
        "warm-ups. The baseline of each page is the same page at 10; the ratio is the median of the 20 "
        "round-by-round ratios (request n at the larger size over request n at 10) with its interquartile "
        "range. The sizes cannot alternate, as each is grown from the one before.",
        "",
        *md_table(header, body),
        "",
        "The admin list shows at most 100 applications per page, so it shows 10 rows at size 10 and 100 "
        "rows above; its cohort filter lists every cohort of the programme. The landing page lists "
        "the current cohorts and the five most recent past ones of the programme's "
        + ", ".join(f"{cohorts[size]:,}" for size in sizes)
        + " cohorts (the archive pages through the rest) and counts participants only for those.",
        "",
    ]


def markdown(results: dict, parts: list[str]) -> str:
    machine = results["machine"]
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        "# Benchmarks",
        "",
        f"The last run of `make bench`, {when}, took {results['duration'] / 60:.1f} minutes. Every figure "
        "was measured side by side with its baseline in the same run; the machines are shared and noisy, "
        "so read the ratios first. Benchmarks are not tests: nothing fails because a machine was slow.",
        "",
        "## Summary",
        "",
        *md_table(
            ["Section", "Figure", "Baseline", "Portal", "Ratio", "Target", "Verdict"],
            [list(row) for row in rows(results)],
        ),
        "",
    ]
    if "certificates" in results:
        lines += report_certificates.section(results["certificates"], machine["WeasyPrint"])
    if "certificates_workers" in results:
        lines += report_certificates_workers.section(results["certificates_workers"])
    if "rush" in results:
        lines += report_rush.section(results["rush"])
    if "pages" in results:
        lines += _pages_section(results["pages"])
    if "fanout" in results:
        from .fanout_report import markdown as fanout_section

        lines += fanout_section(results["fanout"])
    lines += _machine_section(results)
    lines += _reproduce()
    return "\n".join(lines)


def _machine_section(results: dict) -> list[str]:
    machine = results["machine"]
    return [
        "## Machine",
        "",
        *md_table(["", ""], [[key, value] for key, value in machine.items()]),
        "",
        "Load average (1 minute) when each part started, on "
        f"{machine['Cores']} cores: "
        + ", ".join(f"{part} {load:.1f}" for part, load in results["load"].items())
        + ".",
        "",
    ]


def _reproduce() -> list[str]:
    return [
        "## How to reproduce",
        "",
        "With PostgreSQL and Redis running on this machine:",
        "",
        "```sh",
        "make bench",
        "# the same, with other services (the database name must contain 'bench'):",
        "make bench BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\",
        "           BENCH_REDIS_URL=redis://127.0.0.1:6379/12",
        "```",
        "",
        "`make bench` sets up the virtualenv like every other target, then runs "
        "`python -m tests.bench.run`: it drops and creates the benchmark's database, migrates it, "
        "empties the benchmark's Redis database, starts and stops its own Celery worker and gunicorn on "
        "a free loopback port, prints the summary table and writes this file. It takes a few minutes. "
        "`python -m tests.bench.run --only certificates` (or `rush`, `pages`, `fanout`) runs one part; "
        "`--output -` writes no file. The code is in `tests/bench/`.",
        "",
    ]
