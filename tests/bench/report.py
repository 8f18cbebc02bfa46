"""The table printed by ``make bench`` and the BENCHMARKS.md it writes."""

import datetime as dt

from .common import median, percentile

CERTIFICATE_SPEEDUP = 4.0
COHORT_SHARE = 0.6
RUSH_SHARE = 0.6


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _met(ok: bool) -> str:
    return "met" if ok else "missed"


def rows(results: dict) -> list[tuple[str, ...]]:
    """(section, figure, baseline, portal, ratio, target, verdict)"""
    out = []
    certificates = results.get("certificates")
    if certificates:
        base, portal = certificates["baseline"], certificates["portal"]
        speedup = median(base) / median(portal)
        out += [
            (
                "Certificates",
                "per certificate, median",
                _ms(median(base)),
                _ms(median(portal)),
                f"{speedup:.2f}× faster",
                f"≥ {CERTIFICATE_SPEEDUP:.0f}× faster",
                _met(speedup >= CERTIFICATE_SPEEDUP),
            ),
            (
                "Certificates",
                "per certificate, p95",
                _ms(percentile(base, 95)),
                _ms(percentile(portal, 95)),
                f"{percentile(base, 95) / percentile(portal, 95):.2f}× faster",
                "",
                "",
            ),
            (
                "Certificates",
                f"{len(base)} certificates one after another, one process",
                _s(sum(base)),
                _s(sum(portal)),
                f"{sum(base) / sum(portal):.2f}× faster",
                "",
                "",
            ),
        ]
        proof = certificates.get("proof")
        if proof:
            out += [
                (
                    "Certificates",
                    f"own proof per certificate, median ({label})",
                    "",
                    _ms(median(proof[key])),
                    "",
                    "",
                    "",
                )
                for key, label in PROOF_STEPS
            ]
        workers = certificates["workers"]
        share = workers["wall"] / certificates["sequential_baseline_wall"]
        out.append(
            (
                "Certificates",
                "100 certificates: 100 sequential plain renders vs. issued to 2 Celery workers",
                _s(certificates["sequential_baseline_wall"]),
                _s(workers["wall"]) + f" ({workers['issued']} issued, {workers['failed']} failed)",
                f"{share:.2f} of the time",
                f"≤ {COHORT_SHARE} of the time",
                _met(share <= COHORT_SHARE and workers["issued"] == 100),
            )
        )
    rush = results.get("rush")
    if rush:
        baseline, portal, check = rush["baseline"], rush["rush"], rush["check"]
        share = portal["rps"] / baseline["rps"]
        out.append(
            (
                "Deadline rush",
                "throughput (requests/s)",
                f"{baseline['rps']:.0f}/s",
                f"{portal['rps']:.0f}/s",
                f"{share:.0%} of the baseline",
                f"≥ {RUSH_SHARE:.0%} retired",
                "one transaction (decided)",
            )
        )
        for key in ("p50", "p95", "p99"):
            out.append(
                (
                    "Deadline rush",
                    f"latency {key}",
                    _ms(baseline[key]),
                    _ms(portal[key]),
                    f"{portal[key] / baseline[key]:.1f}× the baseline",
                    "",
                    "",
                )
            )
        correct = (
            not check["wrong"]
            and check["numbers_gapless"]
            and check["numbers_unique"]
            and check["database_matches_answers"]
            and check["submitted_before_deadline"]
            and check["drafts_kept"] == check["refused"]
            and check["server_errors"] == 0
            and check["accepted"] + check["refused"] == portal["requests"]
        )
        out += [
            (
                "Deadline rush",
                "accepted (numbers unique, gapless)",
                "",
                f"{check['accepted']} (numbers {check['numbers']})",
                "",
                "all before the deadline",
                _met(
                    check["accepted"] > 0
                    and check["numbers_gapless"]
                    and check["numbers_unique"]
                    and check["submitted_before_deadline"]
                ),
            ),
            (
                "Deadline rush",
                "refused after the deadline (draft kept)",
                "",
                f"{check['refused']} ({check['drafts_kept']} drafts kept)",
                "",
                "all after the deadline",
                # A rush the deadline did not fall into proves nothing about refusals.
                _met(check["refused"] > 0 and check["drafts_kept"] == check["refused"]),
            ),
            (
                "Deadline rush",
                "5xx answers / wrong decisions",
                "",
                f"{check['server_errors']} / {len(check['wrong'])}",
                "",
                "0 / 0",
                _met(correct),
            ),
        ]
    if results.get("pages"):
        for name, sizes in results["pages"]["pages"].items():
            small, large = sizes[min(sizes)], sizes[max(sizes)]
            queries = [sizes[size]["queries"] for size in sorted(sizes)]
            statuses = {sizes[size]["status"] for size in sizes}
            out.append(
                (
                    "Pages",
                    f"{name}: at {min(sizes):,} (baseline) and {max(sizes):,}",
                    f"{small['queries']} queries, {_ms(small['time'])}",
                    f"{large['queries']} queries, {_ms(large['time'])}",
                    f"{large['time'] / small['time']:.1f}× the time",
                    "queries equal",
                    _met(len(set(queries)) == 1 and statuses == {200}),
                )
            )
    if results.get("fanout"):
        from .fanout import summary_rows

        out += summary_rows(results["fanout"])
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


def _md_table(header, body) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in body]
    return lines


PROOF_STEPS = (
    ("credential", "Open Badges credential: built, schema-checked, signed"),
    ("embed", "credential embedded as associated file"),
    ("seal", "PAdES seal"),
)


def _proof_section(proof: dict) -> list[str]:
    return [
        "### What the certificate's own proof costs",
        "",
        f"For each of the {len(proof['seal'])} certificates, after its rendering: the Open Badges 3.0 "
        "credential (built, validated against 1EdTech's JSON schema, signed as VC-JWT with RS256), "
        "embedding it into the PDF/A-3 as associated files (pikepdf), and the PAdES B-B seal "
        "(pyHanko, incremental update, development test seal with an EC P-256 key). Checking a seal "
        "as the verification page does, for 10 of them.",
        "",
        *_md_table(
            ["step", "median", "p95"],
            [
                [label, _ms(median(proof[key])), _ms(percentile(proof[key], 95))]
                for key, label in (*PROOF_STEPS, ("check", "checking a seal (verification page)"))
            ],
        ),
        "",
        "The cohort through the real worker below includes these steps: every certificate it issues "
        "is credentialled and sealed.",
        "",
    ]


def _certificate_section(certificates: dict, subsetting: str) -> list[str]:
    base, portal = certificates["baseline"], certificates["portal"]
    cold = certificates["first_of_cohort"]
    speedup = median(base) / median(portal)
    phases = certificates["phases"]
    lines = [
        "## 1. Certificate rendering",
        "",
        f"{len(base)} certificates of one cohort (names with German, Sorbian and Polish letters, the real "
        "Brandenburg municipalities), each rendered both ways in turn, after three warm-up renders of each:",
        "",
        "- **Baseline**: plain WeasyPrint writing the same tagged output, "
        '`HTML(string=…).write_pdf(pdf_variant="pdf/a-3a")` (PDF/A-3 level a: structure tree, marked '
        "content, language), on the same certificate HTML the portal's template produces (the whole "
        "page in one document), with the stylesheet inline and the shipped fonts replaced by the "
        "system's `sans-serif`. Its HTML is prepared outside the timer.",
        "- **Portal**: `certificates.render.render_certificate_pdf()`, the function the Celery task "
        "calls: coverage check, module query, template, QR code, WeasyPrint, and a tagged PDF/A-3a and "
        "PDF/UA-1 file. The certificate has two layers: the background, which every certificate of the "
        "cohort shares (programme, cohort, modules, date, signatures), is rendered once per worker and "
        "kept as its finished content, structure elements and glyphs; each certificate lays out and "
        "draws only its foreground (name, municipality, number, code), draws the QR code as a one-bit "
        "image tagged as a figure, and joins the kept background's content and structure to its own "
        "page under fresh numbers, each font embedded once with the glyphs of all layers. The first "
        "certificate of a cohort renders the background too (last row).",
        "",
        *_md_table(
            ["", "Baseline", "Portal", "Ratio"],
            [
                ["median", _ms(median(base)), _ms(median(portal)), f"{speedup:.2f}× faster"],
                [
                    "p95",
                    _ms(percentile(base, 95)),
                    _ms(percentile(portal, 95)),
                    f"{percentile(base, 95) / percentile(portal, 95):.2f}× faster",
                ],
                [
                    f"total wall time, {len(base)} in a row",
                    _s(sum(base)),
                    _s(sum(portal)),
                    f"{sum(base) / sum(portal):.2f}× faster",
                ],
                [
                    "mean file size",
                    f"{certificates['bytes']['baseline'] / 1024:.1f} KiB",
                    f"{certificates['bytes']['portal'] / 1024:.1f} KiB",
                    "",
                ],
                [
                    f"first certificate of a cohort, median of {len(cold)}",
                    _ms(median(base)),
                    _ms(median(cold)),
                    f"{median(base) / median(cold):.2f}× faster",
                ],
            ],
        ),
        "",
        f"Same content: the text extracted from both PDFs (white space aside, as the fonts break lines "
        f"differently) is identical for {certificates['same_text']} sampled certificates. Same look: "
        "`tests/certificates/test_render.py` rasterises the portal's PDF and the whole page rendered as "
        "one document with the shipped fonts and requires the same picture, pixel for pixel, and reads "
        "the QR code back from it.",
        "",
    ]
    if certificates.get("proof"):
        lines += _proof_section(certificates["proof"])
    workers = certificates["workers"]
    share = workers["wall"] / certificates["sequential_baseline_wall"]
    per_worker = workers["wall"] * 2 / 100
    lines += [
        "### A cohort of 100 through the real worker",
        "",
        "A coordinator issues 100 certificates at once (`issue_certificates`); two Celery worker processes "
        "(`celery worker --concurrency=2`, Redis broker, PostgreSQL) render, store and mail them. The time "
        "runs from the call until the last certificate is stored; the workers were started, but had not "
        "rendered anything yet. Baseline: the same 100 certificates rendered one after another with "
        "plain WeasyPrint in one process.",
        "",
        *_md_table(
            ["", "Baseline", "Portal", "Ratio", "Target"],
            [
                [
                    "wall time for 100",
                    _s(certificates["sequential_baseline_wall"]),
                    _s(workers["wall"]),
                    f"{share:.2f}",
                    f"≤ {COHORT_SHARE}: {_met(share <= COHORT_SHARE)}",
                ]
            ],
        ),
        "",
        f"Certificates issued: {workers['issued']}, failed: {workers['failed']}. Each of the two workers "
        f"spent {_ms(per_worker)} of wall time per certificate, against {_ms(median(portal))} for "
        "rendering alone in one process: the rest is the task around the render (loading the "
        "certificate, building and signing its credential, embedding it, sealing the PDF, storing it, queueing the mail and sending it in a second task), Celery's "
        "round trips through Redis, each worker process's first render (importing WeasyPrint, loading "
        "the fonts, rendering the background), and two cores shared with PostgreSQL and Redis.",
        "",
    ]
    if share > COHORT_SHARE:
        lines += [f"Target missed by {share - COHORT_SHARE:.2f}.", ""]
    lines += [
        "### Where a certificate's time goes",
        "",
        "Median time of each step over 20 further renders of one certificate each way, taking turns, "
        "each step timed by wrapping WeasyPrint's own functions (medians of the steps need not add up "
        "to the median total):",
        "",
        *_md_table(
            ["step", "Baseline", "Portal"],
            [
                [name, f"{value:.1f} ms", f"{phases['portal'][name]:.1f} ms"]
                for name, value in phases["baseline"].items()
            ],
        ),
        "",
        *_phase_reading(phases, subsetting),
        "",
    ]
    if speedup < CERTIFICATE_SPEEDUP:
        needed = median(base) / CERTIFICATE_SPEEDUP
        lines += [
            f"Target missed: {CERTIFICATE_SPEEDUP:.0f}× faster than the baseline, this run measured "
            f"{speedup:.2f}×. The portal would have to render a certificate in {_ms(needed)} instead of "
            f"{_ms(median(portal))} ({median(portal) / needed:.1f}× less time).",
            "",
        ]
    return lines


OUTSIDE = "outside WeasyPrint (template, QR code, query)"


def _phase_reading(phases: dict, subsetting: str) -> list[str]:
    base, portal = phases["baseline"], phases["portal"]
    steps = [name for name in portal if name not in {"total", OUTSIDE}]
    saved = sorted(steps, key=lambda name: base[name] - portal[name], reverse=True)
    heavy = sorted(steps, key=lambda name: portal[name], reverse=True)[:3]
    if "HarfBuzz" in subsetting:
        fonts = (
            "Font subsetting is not a large cost on this machine: WeasyPrint subsets with HarfBuzz here "
            "(libharfbuzz-subset0, installed by the Makefile and the Dockerfile); without it WeasyPrint "
            "falls back to fontTools, which costs several times more in both columns."
        )
    else:
        fonts = (
            "WeasyPrint subsets fonts with fontTools on this machine (no libharfbuzz-subset0), which "
            'is slow for any font; installing libharfbuzz-subset0 removes most of the step "fonts".'
        )
    return [
        "What the profile shows: the portal saves most in "
        + ", ".join(f"{name} ({base[name] - portal[name]:.1f} ms less)" for name in saved[:3])
        + ": the baseline lays out and draws the whole page for every certificate, the portal only the "
        "foreground's few lines, and it loads its fonts and parses its stylesheet once per worker. "
        f"{fonts} What the portal still pays per certificate is, inside WeasyPrint, "
        + ", ".join(f"{name} ({portal[name]:.1f} ms)" for name in heavy)
        + ": the fixed cost of any WeasyPrint document (the page and its sixteen margin boxes, the "
        "user-agent stylesheet, the PDF/A metadata and compression) more than the foreground's text. "
        f"Outside WeasyPrint the module query, the templates and the QR code take {portal[OUTSIDE]:.1f} ms."
    ]


def _rush_section(rush: dict) -> list[str]:
    baseline, portal, check = rush["baseline"], rush["rush"], rush["check"]
    share = portal["rps"] / baseline["rps"]
    lines = [
        "## 2. Deadline rush",
        "",
        "gunicorn with 2 sync workers and PostgreSQL; a load generator on loopback (tests/bench/loadgen.py, "
        f"asyncio, {rush['concurrency']} concurrent connections, one connection per request). 500 distinct "
        "applicants, signed in with complete drafts, each submit once (`POST /bewerbung/<id>/pruefen/`). "
        "Their cohort closed yesterday; each holds an individual deadline extension whose end is set "
        f"{rush['deadline_into_rush']:.2f} s after the first submit, so the deadline passes during the rush "
        "and the server decides by its own clock. Baseline: a bare Django view inserting one row "
        "(`POST /bench/insert/`, only in the benchmark's URLconf), 1,500 requests each before and after "
        "the rush, with the same generator and concurrency, signed in with a CSRF token like the "
        "applicants. All processes were warmed up first.",
        "",
        *_md_table(
            ["", "Baseline", "Portal", "Ratio", "Target"],
            [
                [
                    "requests/s",
                    f"{baseline['rps']:.0f} (before {baseline['before']['rps']:.0f}, after "
                    f"{baseline['after']['rps']:.0f})",
                    f"{portal['rps']:.0f}",
                    f"{share:.0%}",
                    f"≥ {RUSH_SHARE:.0%}: retired",
                ],
                *[
                    [
                        f"latency {key}",
                        _ms(baseline[key]),
                        _ms(portal[key]),
                        f"{portal[key] / baseline[key]:.1f}×",
                        "",
                    ]
                    for key in ("p50", "p95", "p99")
                ],
            ],
        ),
        "",
        f"Median latency of accepted submits {_ms(portal['accepted_p50'])}, of refused ones "
        f"{_ms(portal['refused_p50'])}.",
        "",
        "Correctness, checked against every answer and the database afterwards:",
        "",
        *_md_table(
            ["check", "result"],
            [
                ["submits", portal["requests"]],
                [
                    "accepted (302), each with its number",
                    f"{check['accepted']}, numbers {check['numbers']}, gapless: "
                    f"{_yes(check['numbers_gapless'])}, unique: {_yes(check['numbers_unique'])}, "
                    f"submitted before the deadline: {_yes(check['submitted_before_deadline'])}",
                ],
                [
                    "refused (400, deadline message), draft unchanged",
                    f"{check['refused']}, drafts kept: {check['drafts_kept']}",
                ],
                ["answered completely before the deadline and accepted", check["accepted_before_deadline"]],
                ["sent after the deadline and refused", check["refused_after_deadline"]],
                ["in flight at the deadline (either answer is right)", check["in_flight_at_deadline"]],
                ["database agrees with the answers", _yes(check["database_matches_answers"])],
                ["5xx answers", check["server_errors"]],
                ["other answers or wrong decisions", len(check["wrong"])],
            ],
        ),
        "",
    ]
    server = rush["server_side"]
    submit, insert = server["submit"], server["insert"]
    cost = submit["time"] / insert["time"]
    lines += [
        "One request of each kind at a time inside the benchmark process (Django's test client, no HTTP, "
        "no concurrency, the two kinds taking turns), after the rush:",
        "",
        *_md_table(
            ["", "Baseline (insert one row)", "Portal (submit)", "Ratio"],
            [
                ["queries", insert["queries"], submit["queries"], ""],
                *[
                    [f"… {label}", _statement_list(insert, kind), _statement_list(submit, kind), ""]
                    for kind, label in STATEMENT_KINDS.items()
                    if kind in submit["statements"] or kind in insert["statements"]
                ],
                [
                    "templates rendered",
                    ", ".join(insert["templates"]) or "none",
                    ", ".join(submit["templates"]) or "none",
                    "",
                ],
                [
                    f"server time, median of {submit['count']}",
                    _ms(insert["time"]),
                    _ms(submit["time"]),
                    f"{cost:.1f}×",
                ],
            ],
        ),
        "",
    ]
    cpu_rows = [
        [
            label,
            _ms(baseline["cpu"][key]),
            _ms(portal["cpu"][key]),
            f"{portal['cpu'][key] / baseline['cpu'][key]:.1f}×",
        ]
        for key, label in (
            ("web", "gunicorn workers"),
            ("database", "PostgreSQL"),
            ("generator", "load generator"),
        )
        if baseline.get("cpu", {}).get(key) and portal.get("cpu", {}).get(key)
    ]
    if cpu_rows:
        lines += [
            "CPU time per request under load (user and system time of the processes, over the baseline "
            "runs and the rush; PostgreSQL only when its connections lasted through the run):",
            "",
            *_md_table(["", "Baseline", "Portal", "Ratio"], cpu_rows),
            "",
        ]
    lines += [
        f"The target of {RUSH_SHARE:.0%} of the bare insert is retired: the binding submit stays one "
        "transaction, so that the number is shown at once and status history, audit entry and the "
        "confirmation mail's outbox row are written with it or not at all. What it costs: in one "
        f"process a submit takes {cost:.1f}× the server time of the bare insert ({submit['queries']} "
        f"queries against {insert['queries']}); under load it reached {share:.0%} of the insert's "
        f"throughput, where the inverse of that cost ratio is {1 / cost:.0%}. The correctness table "
        "above is what the transaction buys: every answer, number and record agree.",
        "",
    ]
    return lines


STATEMENT_KINDS = {
    "read": "reads",
    "lock": "row locks (SELECT … FOR UPDATE)",
    "insert": "inserts",
    "update": "updates",
    "delete": "deletes",
    "transaction": "transaction control",
}


def _statement_list(figures: dict, kind: str) -> str:
    """'2: django_session, portal_user' for the statements of one kind."""
    tables = figures["statements"].get(kind, [])
    return f"{len(tables)}: {', '.join(tables)}" if tables else "0"


def _yes(value: bool) -> str:
    return "yes" if value else "no"


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
                *[_ms(measured[size]["time"]) for size in sizes],
                f"{measured[sizes[-1]]['time'] / measured[sizes[0]]['time']:.1f}×",
                _yes(len(set(queries)) == 1),
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
        "coordinator, a participant; queries counted once, time is the median of 7 requests after a "
        "warm-up. The baseline of each page is the same page at 10.",
        "",
        *_md_table(header, body),
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
        *_md_table(
            ["Section", "Figure", "Baseline", "Portal", "Ratio", "Target", "Verdict"],
            [list(row) for row in rows(results)],
        ),
        "",
    ]
    if "certificates" in results:
        lines += _certificate_section(results["certificates"], machine["WeasyPrint"])
    if "rush" in results:
        lines += _rush_section(results["rush"])
    if "pages" in results:
        lines += _pages_section(results["pages"])
    if "fanout" in results:
        from .fanout import markdown as fanout_section

        lines += fanout_section(results["fanout"])
    lines += [
        "## Machine",
        "",
        *_md_table(["", ""], [[key, value] for key, value in machine.items()]),
        "",
        "Load average (1 minute) when each part started, on "
        f"{machine['Cores']} cores: "
        + ", ".join(f"{part} {load:.1f}" for part, load in results["load"].items())
        + ".",
        "",
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
    return "\n".join(lines)
