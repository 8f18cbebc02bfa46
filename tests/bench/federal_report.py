"""The federal benchmark's section of BENCHMARKS.md and its printed table."""

from .federal import BIG_TABLES

PAGE_LIMIT = 1.5
START, END = "<!-- federal-scale:start -->", "<!-- federal-scale:end -->"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _table(header: list[str], body: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return lines


def verdicts(results: dict) -> dict[str, bool]:
    small, large = results["small"], results["large"]
    out = {}
    for name, before in small["pages"].items():
        after = large["pages"][name]
        out[f"page:{name}"] = (
            after["status"] == before["status"] == 200
            and after["queries"] == before["queries"]
            and after["time"] <= PAGE_LIMIT * before["time"]
        )
    for name, figures in large["jobs"].items():
        out[f"job:{name}"] = not any(plan["seq_big"] for plan in figures["plans"])
    return out


def markdown(results: dict) -> str:
    small, large, counts = results["small"], results["large"], results["counts"]
    ok = verdicts(results)
    lines = [START, "## 5. Federal scale", "", *_introduction(counts)]
    lines += _pages(small, large, ok)
    lines += _jobs(small, large, ok)
    lines += _plans(large)
    lines += _exports(small, large)
    lines += _signup(small["signup"])
    lines += ["", END]
    return "\n".join(lines) + "\n"


def _introduction(counts: dict) -> list[str]:
    return [
        "`make bench SCALE=federal` measures every page and background job twice in one run on one "
        "PostgreSQL database: first in a small world (one programme, an open cohort with ten submitted "
        "applications and a draft, a finished cohort with ten participants and their certificates, a first "
        "page of mails), then after a nationwide rollout has been built around it with bulk inserts. The "
        "people measured and what they see stay the same; only the data around them grows. Pages are "
        "requested through Django's test client (full middleware, no HTTP, DEBUG off): queries counted "
        "once, time the median of 7 requests after a warm-up. Jobs run inside a transaction that is "
        "rolled back, three times each (median); the plan of every statement they send is read with "
        "`EXPLAIN`.",
        "",
        "The rollout, as built: "
        + ", ".join(
            f"{counts[key]:,} {label}"
            for key, label in (
                ("programmes", "programmes"),
                ("municipalities", "municipalities"),
                ("cohorts", "cohorts"),
                ("applications", "applications"),
                ("scores", "scores"),
                ("enrollments", "participants"),
                ("certificates", "certificates"),
                ("outbox", "mails"),
                ("users", "accounts"),
            )
        )
        + f"; built in {counts['build_seconds']} s.",
        "",
    ]


def _pages(small: dict, large: dict, ok: dict[str, bool]) -> list[str]:
    lines = [f"### Pages (target: at most {PAGE_LIMIT}× the small world's time, equal queries)", ""]
    body = []
    for name, before in small["pages"].items():
        after = large["pages"][name]
        ratio = after["time"] / before["time"] if before["time"] else float("inf")
        body.append(
            [
                name,
                str(before["queries"]),
                str(after["queries"]),
                _ms(before["time"]),
                _ms(after["time"]),
                f"{ratio:.2f}×",
                "met" if ok[f"page:{name}"] else "missed",
            ]
        )
    return lines + _table(
        ["page", "queries small", "queries federal", "time small", "time federal", "ratio", "verdict"], body
    )


def _jobs(small: dict, large: dict, ok: dict[str, bool]) -> list[str]:
    lines = [
        "",
        "### Background jobs (target: no sequential scan of a big table)",
        "",
        "Big tables: " + ", ".join(f"`{t}`" for t in sorted(BIG_TABLES)) + ".",
        "",
    ]
    body = []
    for name, before in small["jobs"].items():
        after = large["jobs"][name]
        ratio = after["time"] / before["time"] if before["time"] else float("inf")
        seq = sorted({t for plan in after["plans"] for t in plan["seq_big"]})
        body.append(
            [
                name,
                str(before["queries"]),
                str(after["queries"]),
                _ms(before["time"]),
                _ms(after["time"]),
                f"{ratio:.2f}×",
                ", ".join(seq) or "none",
                "met" if ok[f"job:{name}"] else "missed",
            ]
        )
    return lines + _table(
        [
            "job",
            "statements small",
            "statements federal",
            "time small",
            "time federal",
            "ratio",
            "sequential scans of big tables",
            "verdict",
        ],
        body,
    )


def _plans(large: dict) -> list[str]:
    lines = ["", "Plans at federal scale, statement by statement (table: how it is read):", ""]
    for name, figures in large["jobs"].items():
        lines.append(f"- **{name}**")
        if not figures["plans"]:
            lines.append("  - sends no statement")
        for plan in figures["plans"]:
            reads = "; ".join(
                f"{rel}: {node}{f' ({index})' if index else ''}" for node, rel, index in plan["scans"]
            )
            lines.append(f"  - `{plan['statement']}` → {reads or 'no table'}")
    return lines


def _exports(small: dict, large: dict) -> list[str]:
    lines = ["", "### Exports (growth of the exporting process's peak resident memory, time)", ""]
    body = []
    for name, before in small["exports"].items():
        after = large["exports"][name]
        body.append(
            [
                name,
                f"{before['peak_mib']:.1f} MiB",
                f"{after['peak_mib']:.1f} MiB",
                f"{before['time']:.2f} s",
                f"{after['time']:.2f} s",
                f"{after['bytes'] / 1024 / 1024:.1f} MiB",
            ]
        )
    return lines + _table(
        ["export", "peak small", "peak federal", "time small", "time federal", "file federal"], body
    )


def _signup(figures: dict) -> list[str]:
    return [
        "",
        "### Sign-up",
        "",
        f"{figures['count']} sign-ups through the whole form (allauth, the portal's adapter, the outbox), each after "
        f"a request of the landing page by the same visitor: sign-up p95 {_ms(figures['signup_p95'])} (median "
        f"{_ms(figures['signup_median'])}), landing page p95 {_ms(figures['landing_p95'])}. Of a sign-up, "
        f"{_ms(figures['hash_median'])} is the password hash (Django's PBKDF2, measured alone). "
        f"{figures['queued']} confirmation mails were queued in the outbox and handed to the broker after the "
        f"commit; {figures['sent_in_request']} were sent inside a request (the worker was not running).",
    ]


def splice(document: str, section: str) -> str:
    """Put the federal section into BENCHMARKS.md, replacing an earlier one, before 'Machine'."""
    if START in document and END in document:
        before, rest = document.split(START, 1)
        _old, after = rest.split(END, 1)
        return before + section.rstrip("\n") + after
    marker = "\n## Machine"
    if marker in document:
        before, after = document.split(marker, 1)
        return before + "\n" + section + marker + after
    return document.rstrip("\n") + "\n\n" + section


def table(results: dict) -> str:
    ok = verdicts(results)
    rows = []
    for name, before in results["small"]["pages"].items():
        after = results["large"]["pages"][name]
        rows.append(
            f"{name:32} {before['queries']:>3} → {after['queries']:>3} queries  "
            f"{_ms(before['time']):>10} → {_ms(after['time']):>10}  {'met' if ok['page:' + name] else 'MISSED'}"
        )
    for name, before in results["small"]["jobs"].items():
        after = results["large"]["jobs"][name]
        seq = sorted({t for plan in after["plans"] for t in plan["seq_big"]})
        rows.append(
            f"{name:32} {_ms(before['time']):>10} → {_ms(after['time']):>10}  seq scans: {', '.join(seq) or 'none'}"
        )
    for name, before in results["small"]["exports"].items():
        after = results["large"]["exports"][name]
        rows.append(
            f"{name:32} peak {before['peak_mib']:.1f} → {after['peak_mib']:.1f} MiB, {after['time']:.2f} s"
        )
    return "\n".join(rows)
