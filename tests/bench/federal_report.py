"""The federal benchmark's section of BENCHMARKS.md and its printed table."""

from .common import median
from .federal_jobs import BIG_TABLES, JOB_LIMIT
from .rounds import Comparison, quartiles

PAGE_LIMIT = 1.5
COPY_LIMIT = 5.0
START, END = "<!-- federal-scale:start -->", "<!-- federal-scale:end -->"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _table(header: list[str], body: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return lines


def page_ratio(before: dict, after: dict) -> tuple[float, float, float]:
    """Quartiles of the federal time over the small world's, round by round."""
    return Comparison(baseline=before["times"], portal=after["times"]).time_ratio()


def per_unit(before: dict, after: dict) -> bool:
    return before["work"] > 0 and after["work"] > 0 and before["work"] != after["work"]


def job_ratio(before: dict, after: dict) -> tuple[float, float, float]:
    """Quartiles of the federal time over the small world's, per unit of work where the amount
    of work differs between the worlds."""
    scale = before["work"] / after["work"] if per_unit(before, after) else 1.0
    return quartiles([a * scale / b for b, a in zip(before["times"], after["times"], strict=True)])


def verdicts(results: dict) -> dict[str, bool]:
    small, large = results["small"], results["large"]
    out = {}
    for name, before in small["pages"].items():
        after = large["pages"][name]
        out[f"page:{name}"] = (
            after["status"] == before["status"] == 200
            and after["queries"] == before["queries"]
            and page_ratio(before, after)[2] <= PAGE_LIMIT
        )
    for name, figures in large["jobs"].items():
        out[f"job:{name}"] = (
            not any(plan["seq_big"] for plan in figures["plans"])
            and job_ratio(small["jobs"][name], figures)[2] <= JOB_LIMIT
        )
    exports = large["exports"]
    out["export:copy"] = exports["Admin export, CSV"]["time"] <= COPY_LIMIT * exports[COPY]["time"]
    return out


COPY = "COPY of the admin CSV's columns"


def _iqr(quartile: tuple[float, float, float]) -> str:
    q1, q2, q3 = quartile
    return f"{q2:.2f}× (IQR {q1:.2f}–{q3:.2f})"


def markdown(results: dict, extra: list[str] = ()) -> str:
    small, large, counts = results["small"], results["large"], results["counts"]
    ok = verdicts(results)
    lines = [START, "## 5. Federal scale", "", *_introduction(counts)]
    lines += _pages(small, large, ok)
    lines += _jobs(small, large, ok)
    lines += _plans(large)
    lines += _exports(small, large, ok)
    lines += _signup(small["signup"])
    lines += [*extra, "", END]
    return "\n".join(lines) + "\n"


def _introduction(counts: dict) -> list[str]:
    return [
        "`make bench SCALE=federal` measures every page and background job in two worlds on one "
        "PostgreSQL server: a small world (one programme, an open cohort with ten submitted "
        "applications and a draft, a finished cohort with ten participants, their certificates and the 90 "
        "applications it turned down, a first year's 5,000 mails, and due work for every reminder: a cohort of 25 with a session tomorrow and a task "
        "due in three days, 25 drafts each 7 days and 1 day before their deadline, 25 open offers), and a "
        "nationwide rollout built around a copy of it with bulk inserts. The people measured, what they see "
        "and the work due stay the same; only the data around them grows. Both worlds are kept as database "
        "copies (`make bench SCALE=federal REUSE=1` measures them again without building) and measured "
        "side by side: round by round, a page or job in one world and then in the other, the order "
        "alternating, after warm-ups that are not kept. Pages go through Django's test client (full "
        "middleware, no HTTP, DEBUG off): queries counted once, 20 timed rounds. Jobs run inside a "
        "transaction that is rolled back, 20 timed rounds; the plan of every statement they send is read "
        "with `EXPLAIN`. Every ratio is the median of the 20 round ratios with its interquartile range; a "
        "target is met only at the unfavourable quartile.",
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
    lines = [
        f"### Pages (target: at most {PAGE_LIMIT}× the small world's time at the upper quartile, equal queries)",
        "",
        f"Each page: {len(next(iter(small['pages'].values()))['times'])} rounds after two warm-ups, "
        "the worlds alternating within each round.",
        "",
    ]
    body = []
    for name, before in small["pages"].items():
        after = large["pages"][name]
        body.append(
            [
                name,
                str(before["queries"]),
                str(after["queries"]),
                _ms(before["time"]),
                _ms(after["time"]),
                _iqr(page_ratio(before, after)),
                "met" if ok[f"page:{name}"] else "missed",
            ]
        )
    return lines + _table(
        ["page", "queries small", "queries federal", "time small", "time federal", "ratio", "verdict"], body
    )


def _jobs(small: dict, large: dict, ok: dict[str, bool]) -> list[str]:
    lines = [
        "",
        f"### Background jobs (target: no sequential scan of a big table, and at most {JOB_LIMIT}× the small "
        "world's time for the same work at the upper quartile; per unit of work where the work grows)",
        "",
        "Big tables: " + ", ".join(f"`{t}`" for t in sorted(BIG_TABLES)) + ".",
        "",
    ]
    body = []
    for name, before in small["jobs"].items():
        after = large["jobs"][name]
        seq = sorted({t for plan in after["plans"] for t in plan["seq_big"]})
        body.append(
            [
                name,
                f"{before['work']:,} → {after['work']:,}",
                f"{before['queries']} → {after['queries']}",
                _ms(median(before["times"])),
                _ms(median(after["times"])),
                _iqr(job_ratio(before, after)) + (" per unit" if per_unit(before, after) else ""),
                ", ".join(seq) or "none",
                "met" if ok[f"job:{name}"] else "missed",
            ]
        )
    return lines + _table(
        [
            "job",
            "work",
            "statements",
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


def _exports(small: dict, large: dict, ok: dict[str, bool]) -> list[str]:
    lines = [
        "",
        "### Exports (each in a fresh process: its absolute peak resident memory and the peak's growth "
        "during the export, and its time)",
        "",
    ]
    body = []
    for name, before in small["exports"].items():
        after = large["exports"][name]
        if name == COPY:
            continue
        body.append(
            [
                name,
                f"{before['peak_mib']:.1f} MiB (+{before['growth_mib'] or 0:.1f})",
                f"{after['peak_mib']:.1f} MiB (+{after['growth_mib'] or 0:.1f})",
                f"{before['time']:.2f} s",
                f"{after['time']:.2f} s",
                f"{after['bytes'] / 1024 / 1024:.1f} MiB",
                after["how"],
            ]
        )
    copy, csv = large["exports"][COPY], large["exports"]["Admin export, CSV"]
    body.append(
        [
            COPY,
            "",
            "",
            f"{small['exports'][COPY]['time']:.2f} s",
            f"{copy['time']:.2f} s",
            f"{copy['bytes'] / 1024 / 1024:.1f} MiB",
            "PostgreSQL",
        ]
    )
    lines += _table(
        [
            "export",
            "peak small (growth)",
            "peak federal (growth)",
            "time small",
            "time federal",
            "file federal",
            "how",
        ],
        body,
    )
    lines += [
        "",
        f"Admin CSV against COPY at federal scale: {csv['time'] / copy['time']:.1f}× COPY's time "
        f"(target: within {COPY_LIMIT:.0f}×): {'met' if ok['export:copy'] else 'missed'}.",
    ]
    return lines + _gunicorn(large.get("gunicorn", {}))


def _gunicorn(rows: dict) -> list[str]:
    if not rows:
        return []
    lines = [
        "",
        "Through gunicorn (gunicorn.conf.py, default timeout 30 s) and a Celery worker: the request "
        "answers with the progress page, the worker builds the file.",
        "",
    ]
    body = [
        [
            name,
            f"{f['answered'] * 1000:.0f} ms",
            f"{f['ready']:.1f} s",
            str(f["status"]),
            f"{f['bytes'] / 1024 / 1024:.1f} MiB",
            str(f["worker_timeouts"]),
        ]
        for name, f in rows.items()
    ]
    return lines + _table(
        ["export", "request answered", "file ready", "download status", "file", "worker timeouts"], body
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
    small, large = results["small"], results["large"]
    rows = []
    for name, before in small["pages"].items():
        after = large["pages"][name]
        rows.append(
            f"{name:36} {before['queries']:>3} → {after['queries']:>3} queries  "
            f"{_ms(before['time']):>10} → {_ms(after['time']):>10}  {_iqr(page_ratio(before, after)):>24}  "
            f"{'met' if ok['page:' + name] else 'MISSED'}"
        )
    for name, before in small["jobs"].items():
        after = large["jobs"][name]
        seq = sorted({t for plan in after["plans"] for t in plan["seq_big"]})
        rows.append(
            f"{name:36} work {before['work']} → {after['work']}  {_ms(median(before['times'])):>10} → "
            f"{_ms(median(after['times'])):>10}  {_iqr(job_ratio(before, after))}"
            f"{' per unit' if per_unit(before, after) else ''}  seq scans: {', '.join(seq) or 'none'}  "
            f"{'met' if ok['job:' + name] else 'MISSED'}"
        )
    for name, before in small["exports"].items():
        after = large["exports"][name]
        rows.append(
            f"{name:36} peak {before.get('peak_mib', 0):.1f} (+{before.get('growth_mib') or 0:.1f}) → "
            f"{after.get('peak_mib', 0):.1f} (+{after.get('growth_mib') or 0:.1f}) MiB, "
            f"{before['time']:.2f} → {after['time']:.2f} s"
        )
    rows.append(f"CSV within {COPY_LIMIT:.0f}× of COPY: {'met' if ok['export:copy'] else 'MISSED'}")
    for name, f in large.get("gunicorn", {}).items():
        rows.append(
            f"{name:36} answered {f['answered'] * 1000:.0f} ms, ready {f['ready']:.1f} s, "
            f"download {f['status']}, {f['bytes']} bytes, worker timeouts {f['worker_timeouts']}"
        )
    return "\n".join(rows)
