"""4. Reminder fan-out in the report: its rows of the summary table and its section of
BENCHMARKS.md."""

import math

from .fanout import BATCH, IDLE, KILL_AT
from .report_format import md_table, met, s


def _rate(value: float) -> str:
    return f"{value:,.0f}/s"


def _one_per_batch(side: dict) -> bool:
    """No batch opened more than one connection, and no connection carried more than one batch. (A
    batch the kill caught before it connected opened none, so there may be fewer connections.)"""
    return side["connections"] <= side["batches"] and side["max_per_connection"] <= BATCH


def _correct(side: dict) -> bool:
    return (
        side["duplicates"] == 0
        and side["missing"] == 0
        and side["unexpected"] == 0
        and not side["wrong_recipient"]
    )


def summary_rows(results: dict) -> list[tuple[str, ...]]:
    """(section, figure, baseline, portal, ratio, target, verdict) for the summary table."""
    base, portal_ = results["baseline"], results["portal"]
    count = results["count"]
    return [
        (
            "Reminder fan-out",
            "mails/s, steady (two workers until the kill vs. one process)",
            _rate(base["rate"]),
            _rate(portal_["steady_rate"]),
            f"{portal_['steady_rate'] / base['rate']:.0%} of the baseline",
            "",
            "",
        ),
        (
            "Reminder fan-out",
            f"{count:,} mails, first to last delivery (incl. kill and restart)",
            s(base["wall"]),
            s(portal_["sending"]) + f" ({_rate(portal_['overall_rate'])})",
            f"{portal_['sending'] / base['wall']:.1f}× the time",
            "",
            "",
        ),
        (
            "Reminder fan-out",
            "SMTP connections / batches handed out",
            f"{base['connections']} / {base['batches']}",
            f"{portal_['connections']} / {portal_['batches']}",
            "",
            "one per batch",
            met(_one_per_batch(portal_)),
        ),
        (
            "Reminder fan-out",
            "duplicates / missing after SIGKILL and restart",
            f"{base['duplicates']} / {base['missing']}",
            f"{portal_['duplicates']} / {portal_['missing']}",
            "",
            "0 / 0",
            met(_correct(portal_)),
        ),
    ]


def markdown(results: dict) -> list[str]:
    """The section of BENCHMARKS.md."""
    portal_ = results["portal"]
    lines = [*_description(results["count"]), *_comparison(results), *_timeline(portal_)]
    lines += _reading(portal_)
    return lines


def _description(count: int) -> list[str]:
    return [
        "## 4. Reminder fan-out",
        "",
        f"{count:,} applicants (every fifth writing in English) hold an unsubmitted draft in a cohort whose "
        "deadline is a week away, so the real 7-day draft reminder rule is due for each of them. The "
        "benchmark sends the task beat starts every morning (`applications.tasks.send_draft_reminders`) "
        "to two Celery worker processes (`celery worker --concurrency=2`, Redis broker, PostgreSQL). The "
        "worker runs the rule, renders and records every reminder in the outbox and hands them to itself "
        f"in batches of 50; each batch goes out over one SMTP connection to a local sink (aiosmtpd on "
        f"loopback, in its own process). Once {KILL_AT:.0%} of the messages are recorded as sent, the "
        "worker and its pool processes are killed with SIGKILL and a new worker is started. The killed "
        "worker's unfinished batches stay unacknowledged in Redis; in production `flush_outbox` (beat, every "
        "minute) hands their messages out again once their five-minute lease has passed. The benchmark "
        "cuts that lease short once the new worker has emptied the queue and sent nothing for "
        f"{IDLE:.0f} s, then runs `flush_outbox` through the worker.",
        "",
        f"Baseline: Django's SMTP `EmailBackend` in one process sending the same {count:,} messages, "
        "read from the outbox and built beforehand (subject, text, HTML, the same headers), in the same "
        "batches of 50 with one connection each, to a fresh sink of the same kind, after the portal's run. "
        "No outbox, no Celery, no database while sending.",
        "",
    ]


def _comparison(results: dict) -> list[str]:
    base, portal_ = results["baseline"], results["portal"]
    count = results["count"]
    return [
        *md_table(
            ["", "Baseline", "Portal", "Ratio"],
            [
                [
                    "mails/s, steady",
                    _rate(base["rate"]),
                    f"{_rate(portal_['steady_rate'])} (two workers, from the first delivery to the kill, "
                    f"{portal_['delivered_before_kill']:,} mails)",
                    f"{portal_['steady_rate'] / base['rate']:.0%}",
                ],
                [
                    f"{count:,} mails, first to last delivery",
                    s(base["wall"]),
                    f"{s(portal_['sending'])}, including the kill, the restart and the lease cut short",
                    f"{portal_['sending'] / base['wall']:.1f}×",
                ],
                [
                    "mails/s over that time",
                    _rate(base["rate"]),
                    _rate(portal_["overall_rate"]),
                    f"{portal_['overall_rate'] / base['rate']:.0%}",
                ],
                [
                    "SMTP connections opened / batches handed out",
                    f"{base['connections']} / {base['batches']}",
                    f"{portal_['connections']} / {portal_['batches']} "
                    f"({portal_['connections_used']} delivered something)",
                    f"one per batch: {met(_one_per_batch(portal_))}",
                ],
                [
                    "most messages over one connection",
                    base["max_per_connection"],
                    portal_["max_per_connection"],
                    f"≤ {BATCH}",
                ],
                [
                    "delivered / duplicates / missing",
                    f"{base['delivered']:,} / {base['duplicates']} / {base['missing']}",
                    f"{portal_['delivered']:,} / {portal_['duplicates']} / {portal_['missing']}",
                    "",
                ],
            ],
        ),
        "",
    ]


def _timeline(portal_: dict) -> list[str]:
    return [
        "The portal's run, from the moment the task was sent:",
        "",
        *md_table(
            ["step", "time"],
            [
                ["first delivery", s(portal_["first_delivery"])],
                [
                    f"the task's result is stored: rule run, {portal_['queued']:,} reminders rendered and "
                    f"recorded, {math.ceil(portal_['queued'] / 50)} batches queued",
                    s(portal_["recorded"]),
                ],
                [
                    f"SIGKILL ({portal_['sent_recorded_at_kill']:,} recorded as sent, "
                    f"{portal_['delivered_before_kill']:,} delivered)",
                    s(portal_["killed_after"]),
                ],
                ["new worker answers", f"+ {s(portal_['restart'])}"],
                [
                    f"the new worker sends the batches still waiting, then sends nothing for {IDLE:.0f} s",
                    f"+ {s(portal_['idle_wait'])}",
                ],
                [
                    f"flush_outbox hands out the killed worker's {portal_['handed_out_again']} messages; "
                    "outbox drained",
                    f"+ {s(portal_['recovery'])}",
                ],
                ["end to end", s(portal_["end_to_end"])],
            ],
        ),
        "",
    ]


def _reading(portal_: dict) -> list[str]:
    statuses = ", ".join(f"{status} {number:,}" for status, number in sorted(portal_["statuses"].items()))
    lines = [
        f"Outbox afterwards: {statuses}. Duplicates are counted by outbox key; by Message-ID "
        f"{portal_['duplicate_message_ids']}, by recipient {portal_['duplicate_recipients']}. Messages the "
        f"sink got that the outbox does not hold: {portal_['unexpected']}; to a wrong recipient: "
        f"{portal_['wrong_recipient']}.",
        "",
        "The batches handed out are the 200 of the rule's run and those `flush_outbox` hands out again. "
        "A batch the kill caught before it connected opened no connection, so there can be fewer "
        "connections than batches; the target is that none opened two, and none carried more than one "
        "batch.",
        "",
        "Where the difference in mails/s comes from: for each message a worker does what the baseline "
        "does (build the MIME message, MAIL, RCPT and DATA over the open connection), and in addition "
        "locks the message's outbox row (`SELECT … FOR UPDATE SKIP LOCKED`), marks it sent and commits, "
        "one transaction per message so that an accepted message is recorded at once; per batch it "
        "checks every message against current data (account, opt-out, still due). Two worker "
        "processes share the two cores with PostgreSQL, Redis, the sink and the benchmark.",
        "",
    ]
    if portal_["duplicates"]:
        lines += [
            f"Duplicated after the kill: {', '.join(f'`{key}`' for key in portal_['duplicated_keys'])}.",
            "",
        ]
    lines += [
        "Delivery is at least once: a message is marked sent in the transaction that holds its row lock, "
        "before it is handed to the server, and that transaction commits as soon as the server accepts "
        "it. A worker killed between the server's acceptance and that commit leaves the message queued, "
        "and it is sent again, with the same Message-ID so that the receiving side can recognise it. "
        "Nothing else stands in that window, so a kill at a random moment almost never hits it; a kill "
        "before the acceptance sends the message once, later.",
        "",
    ]
    return lines
