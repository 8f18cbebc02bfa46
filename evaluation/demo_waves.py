"""Demo answers to the waves T0 and T1 of the past cohorts, so that the evaluators' pre/post
chart (/auswertung/wellen/) shows something from ``make run``. Idempotent."""

import datetime as dt
import random

from cohorts.models import Cohort

from . import waves
from .default_instruments import install
from .models import (
    Answer,
    EvaluationConsent,
    Instrument,
    InstrumentVersion,
    Invitation,
    Item,
    Wave,
    WaveResponse,
)

DEMO_PARTICIPANT = "teilnehmer@example.org"
# Where the self-assessment leans before (T0) and after (T1) the course.
LEANING = {Wave.Kind.T0: [2, 2, 3, 3], Wave.Kind.T1: [3, 4, 4, 5]}


def _link_modules(modules) -> None:
    """The competency items name the module of their topic (kompetenz_<position>)."""
    by_position = {module.position: module for module in modules}
    for item in Item.objects.filter(competency=True, module__isnull=True):
        position = int(item.key.rsplit("_", 1)[-1]) if item.key.rsplit("_", 1)[-1].isdigit() else None
        if position in by_position:
            item.module = by_position[position]
            item.save(update_fields=["module"])


def _respond(invitation: Invitation, chance: random.Random) -> None:
    version = invitation.wave.instrument.versions.order_by("-number").first()
    response = WaveResponse.objects.create(
        invitation=invitation, version=version, submitted_at=invitation.opens_at + dt.timedelta(days=2)
    )
    lean = chance.choice(LEANING[invitation.wave.kind])
    Answer.objects.bulk_create(
        [
            Answer(response=response, item=item, number=max(1, min(5, lean + chance.choice([-1, 0, 0, 1]))))
            for item in version.items.filter(competency=True)
        ]
    )


def seed(cohorts: list[Cohort], modules) -> int:
    if not cohorts:
        return 0
    install(Instrument, InstrumentVersion, Item)  # the first instruments, where a test emptied them
    _link_modules(modules)
    plan = {wave.kind: wave for wave in waves.ensure_plan(programme=cohorts[0].programme)}
    created = 0
    for cohort in cohorts:
        if cohort.end_date >= dt.date.today():
            continue
        chance = random.Random(f"evaluation-waves-{cohort.number}")  # noqa: S311 - demo data, not security
        start = dt.datetime.combine(cohort.start_date, dt.time(9), tzinfo=dt.UTC) - dt.timedelta(days=20)
        end = dt.datetime.combine(cohort.end_date, dt.time(9), tzinfo=dt.UTC)
        for enrollment in (
            cohort.enrollments.confirmed().select_related("user").exclude(user__email=DEMO_PARTICIPANT)
        ):
            for kind, opens in ((Wave.Kind.T0, start), (Wave.Kind.T1, end)):
                wave = plan.get(kind)
                if wave is None:
                    continue
                invitation, fresh = Invitation.objects.get_or_create(
                    wave=wave,
                    enrollment=enrollment,
                    defaults={"opens_at": opens, "closes_at": opens + dt.timedelta(days=wave.open_days)},
                )
                if not fresh:
                    continue
                created += 1
                if chance.random() < 0.8:
                    EvaluationConsent.objects.get_or_create(
                        user=enrollment.user,
                        programme=cohort.programme,
                        defaults={"given_at": opens, "text_version": waves.CONSENT_VERSION},
                    )
                    _respond(invitation, chance)
    return created + _open_for_demo_participant(cohorts[0].programme, plan)


def _open_for_demo_participant(programme, plan: dict) -> int:
    """The demo participant has the follow-up (T2) open, to try from ``make run``."""
    from cohorts.models import Enrollment

    enrollment = (
        Enrollment.objects.filter(user__email=DEMO_PARTICIPANT, cohort__programme=programme)
        .order_by("-cohort__start_date")
        .first()
    )
    if enrollment is None or Wave.Kind.T2 not in plan:
        return 0
    opens = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    _invitation, fresh = Invitation.objects.get_or_create(
        wave=plan[Wave.Kind.T2],
        enrollment=enrollment,
        defaults={"opens_at": opens, "closes_at": opens + dt.timedelta(days=plan[Wave.Kind.T2].open_days)},
    )
    return int(fresh)
