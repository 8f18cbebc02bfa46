"""The worlds of the waves' federal benchmark (tests/bench/federal_waves.py): the small world with
the day's due work, and the rollout of finished cohorts with three waves of history around it."""

import datetime as dt
import random

from django.db import connection
from django.utils import timezone

from .data import make_users, programme_and_modules
from .federal_rows import certificate

BATCH = 5000


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _cohort(programme, number: int, *, start: dt.date, end: dt.date):
    from cohorts.models import BERLIN, Cohort

    return Cohort.objects.create(
        programme=programme,
        number=number,
        title=f"{number}. Schulungsdurchgang",
        start_date=start,
        end_date=end,
        applications_open_at=dt.datetime.combine(start - dt.timedelta(days=90), dt.time(9), tzinfo=BERLIN),
        applications_close_on=start - dt.timedelta(days=40),
        seats=150,
    )


def _enroll(cohort, users, accepted_at: dt.datetime) -> list:
    from cohorts.models import Enrollment

    return Enrollment.objects.bulk_create(
        [
            Enrollment(cohort=cohort, user=user, state=Enrollment.State.CONFIRMED, responded_at=accepted_at)
            for user in users
        ],
        batch_size=BATCH,
    )


def _certify(enrollments, cohort, issued_on: dt.date, first: int = 1) -> None:
    from certificates.models import Certificate

    rows = []
    for sequence, enrollment in enumerate(enrollments, start=first):
        row = certificate(enrollment, cohort, sequence, issued_by=None)
        row.issued_on = issued_on
        rows.append(row)
    Certificate.objects.bulk_create(rows, batch_size=BATCH)


def small_world(people: int) -> dict:
    """The plan T0/T1/T2 and the day's due work, ``people`` persons for each kind of it."""
    from evaluation import waves
    from evaluation.models import Invitation
    from evaluation.reminders import INVITATION
    from portal.mail.models import OutboxMessage

    now = timezone.now()
    today = timezone.localdate(now)
    programme, _modules = programme_and_modules()
    plan = {wave.kind: wave for wave in waves.ensure_plan(programme=programme)}
    users = make_users(4 * people, tag="wellen")
    groups = [users[i * people : (i + 1) * people] for i in range(4)]
    # T0 opens: seats accepted yesterday for a cohort that starts soon.
    coming = _cohort(programme, 9001, start=today + dt.timedelta(days=20), end=today + dt.timedelta(days=80))
    _enroll(coming, groups[0], now - dt.timedelta(days=1))
    # T1 opens: certificates issued yesterday.
    ended = _cohort(programme, 9002, start=today - dt.timedelta(days=60), end=today - dt.timedelta(days=1))
    _certify(_enroll(ended, groups[1], now - dt.timedelta(days=90)), ended, today - dt.timedelta(days=1))
    # T2 opens: certificates issued 183 days ago.
    earlier = _cohort(
        programme, 9003, start=today - dt.timedelta(days=240), end=today - dt.timedelta(days=183)
    )
    accepted = now - dt.timedelta(days=270)
    people = _enroll(earlier, groups[2], accepted)
    _certify(people, earlier, today - dt.timedelta(days=183))
    # Their T0 and T1 lie behind them, answered by most: the history of the one-cohort view.
    rates = {"t0": 0.8, "t1": 0.7, "t2": 0.0}
    _history(
        {"plan": plan}, earlier, people, people, accepted, rates, random.Random(9003), kinds=("t0", "t1")
    )
    # The first reminder is due: T0 opened nine days ago, invited, not answered.
    running = _cohort(programme, 9004, start=today - dt.timedelta(days=5), end=today + dt.timedelta(days=50))
    opened = now - dt.timedelta(days=9)
    invitations = Invitation.objects.bulk_create(
        Invitation(
            wave=plan["t0"], enrollment=enrollment, opens_at=opened, closes_at=opened + dt.timedelta(days=28)
        )
        for enrollment in _enroll(running, groups[3], opened)
    )
    OutboxMessage.objects.bulk_create(
        _mail(INVITATION.key("invitation", invitation.pk), user, "wave-invitation", opened)
        for invitation, user in zip(invitations, groups[3], strict=True)
    )
    return {"programme": programme, "plan": plan, "history_cohort": earlier.pk, "now": now}


def _mail(key: str, user, kind: str, at: dt.datetime):
    from portal.mail.models import OutboxMessage

    return OutboxMessage(
        idempotency_key=key,
        kind=kind,
        recipient=user.email,
        user=user,
        subject="Befragung der wissenschaftlichen Begleitung",
        body_text="Guten Tag,\n\nwir laden Sie zur Befragung ein.\n",
        status=OutboxMessage.Status.SENT,
        attempts=1,
        sent_at=at,
    )


def grow(world: dict, enrollments: int, cohort_size: int, rates: dict) -> None:
    """Finished cohorts with ``enrollments`` people: certificates, T0/T1/T2 invitations, answers
    at ``rates`` and the mails; every window closed at least half a year ago."""
    chance = random.Random(2026)  # noqa: S311 - benchmark data, not security
    users = make_users(enrollments, tag="rollout-wellen")
    today = timezone.localdate(world["now"])
    for index in range(0, enrollments, cohort_size):
        end = today - dt.timedelta(days=420 + (index // cohort_size) * 9)
        cohort = _cohort(
            world["programme"], 100 + index // cohort_size, start=end - dt.timedelta(days=60), end=end
        )
        accepted = timezone.make_aware(
            dt.datetime.combine(cohort.start_date - dt.timedelta(days=30), dt.time(10))
        )
        people = _enroll(cohort, users[index : index + cohort_size], accepted)
        certified = [e for e in people if chance.random() < 0.9]
        _certify(certified, cohort, end)
        _history(world, cohort, people, certified, accepted, rates, chance)


def _history(world, cohort, people, certified, accepted, rates, chance, kinds=("t0", "t1", "t2")) -> None:
    from evaluation.models import Answer, Invitation, WaveResponse
    from evaluation.reminders import INVITATION, REMINDER

    plan = world["plan"]
    issued = timezone.make_aware(dt.datetime.combine(cohort.end_date, dt.time(9)))
    opens = {"t0": accepted, "t1": issued, "t2": issued + dt.timedelta(days=182)}
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                wave=plan[kind],
                enrollment=e,
                opens_at=opens[kind],
                closes_at=opens[kind] + dt.timedelta(days=28),
            )
            for kind, group in (("t0", people), ("t1", certified), ("t2", certified))
            if kind in kinds
            for e in group
        ],
        batch_size=BATCH,
    )
    answered = [i for i in invitations if chance.random() < rates[i.wave.kind]]
    responses = WaveResponse.objects.bulk_create(
        [
            WaveResponse(
                invitation=i,
                version=_version(plan[i.wave.kind]),
                submitted_at=i.opens_at + dt.timedelta(days=3),
            )
            for i in answered
        ],
        batch_size=BATCH,
    )
    Answer.objects.bulk_create(
        [
            Answer(response=response, item=item, number=chance.randint(1, 5))
            for response, invitation in zip(responses, answered, strict=True)
            for item in _competencies(plan[invitation.wave.kind])
        ],
        batch_size=BATCH,
    )
    users = {e.pk: e.user for e in people}
    done = {i.pk for i in answered}
    mails = [
        _mail(INVITATION.key("invitation", i.pk), users[i.enrollment_id], "wave-invitation", i.opens_at)
        for i in invitations
    ]
    mails += [
        _mail(
            REMINDER.key("invitation", i.pk, 1),
            users[i.enrollment_id],
            "wave-reminder",
            i.opens_at + dt.timedelta(days=7),
        )
        for i in invitations
        if i.pk not in done
    ]
    from portal.mail.models import OutboxMessage

    OutboxMessage.objects.bulk_create(mails, batch_size=BATCH)


_VERSIONS, _ITEMS = {}, {}


def _version(wave):
    if wave.pk not in _VERSIONS:
        _VERSIONS[wave.pk] = wave.instrument.versions.order_by("-number").first()
    return _VERSIONS[wave.pk]


def _competencies(wave) -> list:
    if wave.pk not in _ITEMS:
        _ITEMS[wave.pk] = list(_version(wave).items.filter(competency=True))
    return _ITEMS[wave.pk]
