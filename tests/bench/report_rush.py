"""2. Deadline rush in the report: its rows of the summary table and its section of BENCHMARKS.md."""

from .report_format import md_table, met, ms, yes

RUSH_SHARE = 0.6

STATEMENT_KINDS = {
    "read": "reads",
    "lock": "row locks (SELECT … FOR UPDATE)",
    "insert": "inserts",
    "update": "updates",
    "delete": "deletes",
    "transaction": "transaction control",
}


def summary_rows(rush: dict) -> list[tuple[str, ...]]:
    """(section, figure, baseline, portal, ratio, target, verdict)"""
    return [*_load_rows(rush), *_check_rows(rush)]


def _load_rows(rush: dict) -> list[tuple[str, ...]]:
    baseline, portal = rush["baseline"], rush["rush"]
    share = portal["rps"] / baseline["rps"]
    out = [
        (
            "Deadline rush",
            "throughput (requests/s)",
            f"{baseline['rps']:.0f}/s",
            f"{portal['rps']:.0f}/s",
            f"{share:.0%} of the baseline",
            f"≥ {RUSH_SHARE:.0%} retired",
            "one transaction (decided)",
        )
    ]
    for key in ("p50", "p95", "p99"):
        out.append(
            (
                "Deadline rush",
                f"latency {key}",
                ms(baseline[key]),
                ms(portal[key]),
                f"{portal[key] / baseline[key]:.1f}× the baseline",
                "",
                "",
            )
        )
    return out


def _check_rows(rush: dict) -> list[tuple[str, ...]]:
    portal, check = rush["rush"], rush["check"]
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
    return [
        (
            "Deadline rush",
            "accepted (numbers unique, gapless)",
            "",
            f"{check['accepted']} (numbers {check['numbers']})",
            "",
            "all before the deadline",
            met(
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
            met(check["refused"] > 0 and check["drafts_kept"] == check["refused"]),
        ),
        (
            "Deadline rush",
            "5xx answers / wrong decisions",
            "",
            f"{check['server_errors']} / {len(check['wrong'])}",
            "",
            "0 / 0",
            met(correct),
        ),
    ]


def section(rush: dict) -> list[str]:
    return [*_load(rush), *_correctness(rush), *_server_side(rush), *_cpu(rush), *_retired(rush)]


def _load(rush: dict) -> list[str]:
    baseline, portal = rush["baseline"], rush["rush"]
    share = portal["rps"] / baseline["rps"]
    return [
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
        *md_table(
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
                        ms(baseline[key]),
                        ms(portal[key]),
                        f"{portal[key] / baseline[key]:.1f}×",
                        "",
                    ]
                    for key in ("p50", "p95", "p99")
                ],
            ],
        ),
        "",
        f"Median latency of accepted submits {ms(portal['accepted_p50'])}, of refused ones "
        f"{ms(portal['refused_p50'])}.",
        "",
    ]


def _correctness(rush: dict) -> list[str]:
    portal, check = rush["rush"], rush["check"]
    return [
        "Correctness, checked against every answer and the database afterwards:",
        "",
        *md_table(
            ["check", "result"],
            [
                ["submits", portal["requests"]],
                [
                    "accepted (302), each with its number",
                    f"{check['accepted']}, numbers {check['numbers']}, gapless: "
                    f"{yes(check['numbers_gapless'])}, unique: {yes(check['numbers_unique'])}, "
                    f"submitted before the deadline: {yes(check['submitted_before_deadline'])}",
                ],
                [
                    "refused (400, deadline message), draft unchanged",
                    f"{check['refused']}, drafts kept: {check['drafts_kept']}",
                ],
                ["answered completely before the deadline and accepted", check["accepted_before_deadline"]],
                ["sent after the deadline and refused", check["refused_after_deadline"]],
                ["in flight at the deadline (either answer is right)", check["in_flight_at_deadline"]],
                ["database agrees with the answers", yes(check["database_matches_answers"])],
                ["5xx answers", check["server_errors"]],
                ["other answers or wrong decisions", len(check["wrong"])],
            ],
        ),
        "",
    ]


def _server_side(rush: dict) -> list[str]:
    server = rush["server_side"]
    submit, insert = server["submit"], server["insert"]
    cost = submit["time"] / insert["time"]
    return [
        "One request of each kind at a time inside the benchmark process (Django's test client, no HTTP, "
        "no concurrency, the two kinds taking turns), after the rush:",
        "",
        *md_table(
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
                    ms(insert["time"]),
                    ms(submit["time"]),
                    f"{cost:.1f}×",
                ],
            ],
        ),
        "",
    ]


def _cpu(rush: dict) -> list[str]:
    baseline, portal = rush["baseline"], rush["rush"]
    cpu_rows = [
        [
            label,
            ms(baseline["cpu"][key]),
            ms(portal["cpu"][key]),
            f"{portal['cpu'][key] / baseline['cpu'][key]:.1f}×",
        ]
        for key, label in (
            ("web", "gunicorn workers"),
            ("database", "PostgreSQL"),
            ("generator", "load generator"),
        )
        if baseline.get("cpu", {}).get(key) and portal.get("cpu", {}).get(key)
    ]
    if not cpu_rows:
        return []
    return [
        "CPU time per request under load (user and system time of the processes, over the baseline "
        "runs and the rush; PostgreSQL only when its connections lasted through the run):",
        "",
        *md_table(["", "Baseline", "Portal", "Ratio"], cpu_rows),
        "",
    ]


def _retired(rush: dict) -> list[str]:
    baseline, portal = rush["baseline"], rush["rush"]
    share = portal["rps"] / baseline["rps"]
    submit, insert = rush["server_side"]["submit"], rush["server_side"]["insert"]
    cost = submit["time"] / insert["time"]
    return [
        f"The target of {RUSH_SHARE:.0%} of the bare insert is retired: the binding submit stays one "
        "transaction, so that the number is shown at once and status history, audit entry and the "
        "confirmation mail's outbox row are written with it or not at all. What it costs: in one "
        f"process a submit takes {cost:.1f}× the server time of the bare insert ({submit['queries']} "
        f"queries against {insert['queries']}); under load it reached {share:.0%} of the insert's "
        f"throughput, where the inverse of that cost ratio is {1 / cost:.0%}. The correctness table "
        "above is what the transaction buys: every answer, number and record agree.",
        "",
    ]


def _statement_list(figures: dict, kind: str) -> str:
    """'2: django_session, portal_user' for the statements of one kind."""
    tables = figures["statements"].get(kind, [])
    return f"{len(tables)}: {', '.join(tables)}" if tables else "0"
