"""Reads of the evaluation: the dashboard's figures, their cached snapshot and the participant's
questionnaires. The rows of the pseudonymised exports are read in ``evaluation.export_rows``.

The dashboard loads every table it needs once, in a fixed number of queries, and counts in Python:
the number of queries does not grow with cohorts, people or sessions.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg
from django.db.models import Count as CountOf
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.models import Application
from certificates.models import Certificate
from cohorts.models import Cohort, Enrollment
from cohorts.selectors import programme_municipalities, programme_slug
from modules.models import Attendance, Module, Session
from portal.models import Municipality

from . import instruments, module_instrument
from .disclosure import Count, Mean, Median, Share
from .models import Answer, Item, WaveResponse
from .participation import Participation, load_participation

OPEN = {Application.Status.SUBMITTED, Application.Status.IN_REVIEW}


# --- the dashboard ----------------------------------------------------------------------------


@dataclass
class ApplicationFigures:
    label: str
    received: Count
    accepted: Count
    waitlisted: Count
    rejected: Count
    withdrawn: Count
    open: Count
    days_to_decision: Median
    participants: Count
    certificates: Count


@dataclass
class Bar:
    label: str
    count: Count


@dataclass
class ModuleFigures:
    module: Module
    share: Share | None  # None: the module has not ended in any cohort of the scope


@dataclass
class SessionFigures:
    cohort: Cohort
    session: Session
    present: Count
    excused: Count
    absent: Count
    unrecorded: Count


@dataclass
class QuestionnaireFigures:
    module: Module
    answers: Count
    means: list  # one Mean per rated statement, in the order of ``Statistics.items``


@dataclass
class Statistics:
    cohorts: list
    scope: Cohort | None
    applications: list  # ApplicationFigures per cohort
    applications_total: ApplicationFigures
    participants: Count
    by_district: list  # Bar per district of the programme's state, then one for other employers
    by_kind: list  # Bar per kind of municipality, then one for other employers
    modules: list  # ModuleFigures
    sessions: list  # SessionFigures of the scope's sessions that have begun; none over all cohorts
    questionnaire: list  # QuestionnaireFigures
    # (short name, statement) of every rated statement of the questionnaire's current version
    items: list = field(default_factory=list)


def _days(submitted: dt.datetime, decided: dt.datetime) -> int:
    """Calendar days in Europe/Berlin from submission to decision."""
    return (timezone.localdate(decided) - timezone.localdate(submitted)).days


def _application_figures(label, applications, participants: int, certificates: int) -> ApplicationFigures:
    statuses = Counter(status for _cohort, status, _submitted, _decided in applications)
    days = tuple(
        _days(submitted, decided)
        for _cohort, _status, submitted, decided in applications
        if decided is not None
    )
    return ApplicationFigures(
        label=label,
        received=Count(len(applications)),
        accepted=Count(statuses[Application.Status.ACCEPTED]),
        waitlisted=Count(statuses[Application.Status.WAITLISTED]),
        rejected=Count(statuses[Application.Status.REJECTED]),
        withdrawn=Count(statuses[Application.Status.WITHDRAWN]),
        open=Count(sum(statuses[s] for s in OPEN)),
        days_to_decision=Median(days),
        participants=Count(participants),
        certificates=Count(certificates),
    )


def _programme_records(cohort_ids: list) -> tuple[list, list, dict]:
    """The received applications, the confirmed participants and the number of issued
    certificates per cohort of the given cohorts: three queries."""
    applications = list(
        Application.objects.filter(cohort__in=cohort_ids, submitted_at__isnull=False).values_list(
            "cohort_id", "status", "submitted_at", "decided_at"
        )
    )
    confirmed = Enrollment.objects.confirmed().filter(cohort__in=cohort_ids)
    participants = list(
        confirmed.order_by().values_list("pk", "cohort_id", "municipality__district", "municipality__kind")
    )
    certificates = dict(
        Certificate.objects.filter(cohort__in=cohort_ids, status=Certificate.Status.ISSUED)
        .order_by()
        .values("cohort_id")
        .annotate(n=CountOf("pk"))
        .values_list("cohort_id", "n")
    )
    return applications, participants, certificates


def _application_table(
    cohorts: list, applications: list, participants: list, certificates: dict
) -> tuple[list, ApplicationFigures]:
    """The application figures of every cohort and over all cohorts."""
    per_cohort = defaultdict(list)
    for row in applications:
        per_cohort[row[0]].append(row)
    participants_per_cohort = Counter(cohort_id for _pk, cohort_id, _d, _k in participants)
    application_rows = [
        _application_figures(
            c.localized_title, per_cohort[c.pk], participants_per_cohort[c.pk], certificates.get(c.pk, 0)
        )
        for c in cohorts
    ]
    application_total = _application_figures(
        _("Alle Durchgänge"), applications, len(participants), sum(certificates.values())
    )
    return application_rows, application_total


def _origin(in_scope: list) -> tuple[list, list]:
    """The participants by district and by kind of municipality, each with a last bar for other
    employers: one query."""
    # The districts of the programme's state, by the index the application form reads too.
    districts = list(
        programme_municipalities().values_list("district", flat=True).distinct().order_by("district")
    )
    district_counts = Counter(district for _pk, _c, district, _k in in_scope)
    by_district = [Bar(d, Count(district_counts[d])) for d in districts]
    kind_counts = Counter(kind for _pk, _c, _d, kind in in_scope)
    by_kind = [Bar(str(label), Count(kind_counts[value])) for value, label in Municipality.Kind.choices]
    others = Count(district_counts[None])
    by_district.append(Bar(_("andere öffentliche Stelle"), others))
    by_kind.append(Bar(_("andere öffentliche Stelle"), others))
    return by_district, by_kind


def _module_figures(participation: Participation, scope_cohorts: list, participants: list) -> list:
    """The share of participants who completed each module, over the cohorts of the scope in which
    the module has ended."""
    module_rows = []
    for module in participation.modules:
        programme_cohorts = [c for c in scope_cohorts if c.programme_id == module.programme_id]
        ended = [c for c in programme_cohorts if participation.module_ended(c.pk, module.pk)]
        if not programme_cohorts:
            continue
        if not ended:
            module_rows.append(ModuleFigures(module, None))
            continue
        ended_ids = {c.pk for c in ended}
        whole = [(pk, cohort_id) for pk, cohort_id, _d, _k in participants if cohort_id in ended_ids]
        done = sum(1 for pk, cohort_id in whole if participation.completed(pk, cohort_id, module.pk))
        module_rows.append(ModuleFigures(module, Share(Count(done), Count(len(whole)))))
    return module_rows


def _session_figures(
    participation: Participation, cohorts: list, scope: Cohort | None, participants: list, now: dt.datetime
) -> list:
    """The attendance of every session of the scope that has begun; none over all cohorts."""
    # Session by session only for one cohort: over all cohorts the list would grow with every
    # cohort the programme runs; the modules' figures sum them up instead.
    session_rows = []
    scope_ids = {scope.pk} if scope is not None else set()
    cohorts_by_pk = {c.pk: c for c in cohorts}
    members = defaultdict(list)
    for pk, cohort_id, _d, _k in participants:
        members[cohort_id].append(pk)
    for session in participation.sessions:
        if session.cohort_id not in scope_ids or session.starts_at > now:
            continue
        statuses = Counter(
            participation.attendance.get(pk, {}).get(session.pk) for pk in members[session.cohort_id]
        )
        session_rows.append(
            SessionFigures(
                cohort=cohorts_by_pk[session.cohort_id],
                session=session,
                present=Count(statuses[Attendance.Status.PRESENT]),
                excused=Count(statuses[Attendance.Status.EXCUSED]),
                absent=Count(statuses[Attendance.Status.ABSENT]),
                unrecorded=Count(statuses[None]),
            )
        )
    return session_rows


def _questionnaire_figures(modules: list, cohort_ids: list, scope: Cohort | None) -> tuple[list, list]:
    """The number of answers and the mean of every rated statement per module, in the scope,
    with the (short name, statement) of those statements: three queries. Answers to earlier
    versions count where their item has the same key."""
    statements = module_instrument.scale_items(module_instrument.current_items())
    responses = WaveResponse.objects.filter(module__isnull=False, enrollment__cohort__in=cohort_ids)
    answers = Answer.objects.filter(
        response__module__isnull=False,
        response__enrollment__cohort__in=cohort_ids,
        item__kind=Item.Kind.LIKERT,
        item__key__in=[item.key for item in statements],
    )
    if scope is not None:
        responses = responses.filter(enrollment__cohort=scope)
        answers = answers.filter(response__enrollment__cohort=scope)
    totals = dict(responses.values_list("module_id").annotate(CountOf("pk")).order_by())
    means = {
        (row["response__module_id"], row["item__key"]): Mean(average=row["average"], count=row["count"])
        for row in answers.values("response__module_id", "item__key")
        .annotate(average=Avg("number"), count=CountOf("number"))
        .order_by()
    }
    rows = [
        QuestionnaireFigures(
            module,
            Count(totals[module.pk]),
            [means.get((module.pk, item.key), Mean(average=None, count=0)) for item in statements],
        )
        for module in modules
        if module.pk in totals
    ]
    headings = [(instruments.item_label(item), instruments.item_text(item)) for item in statements]
    return rows, headings


def dashboard_statistics(*, scope_number: int | None = None, now: dt.datetime | None = None) -> Statistics:
    """Every figure of the dashboard, per cohort and over all cohorts, in ten queries.

    ``scope_number`` narrows the detailed figures (origin, modules, sessions, questionnaire) to
    one cohort; the application table always shows every cohort and the total.
    """
    now = now or timezone.now()
    # The portal's programme only: where one database holds several, the others are not read.
    cohorts = list(Cohort.objects.filter(programme__slug=programme_slug()).order_by("programme_id", "number"))
    cohort_ids = [c.pk for c in cohorts]
    scope = next((c for c in cohorts if c.number == scope_number), None)

    applications, participants, certificates = _programme_records(cohort_ids)
    application_rows, application_total = _application_table(
        cohorts, applications, participants, certificates
    )
    in_scope = [p for p in participants if scope is None or p[1] == scope.pk]
    by_district, by_kind = _origin(in_scope)

    # The ids, not a subquery: PostgreSQL then reads attendance and tasks by index, not whole tables.
    participation = load_participation([pk for pk, _c, _d, _k in participants], now, cohort_ids)
    scope_cohorts = [c for c in cohorts if scope is None or c == scope]
    questionnaire, items = _questionnaire_figures(participation.modules, cohort_ids, scope)

    return Statistics(
        cohorts=cohorts,
        scope=scope,
        applications=application_rows,
        applications_total=application_total,
        participants=Count(len(in_scope)),
        by_district=by_district,
        by_kind=by_kind,
        modules=_module_figures(participation, scope_cohorts, participants),
        sessions=_session_figures(participation, cohorts, scope, participants, now),
        questionnaire=questionnaire,
        items=items,
    )


# --- the participant's questionnaires ---------------------------------------------------------


@dataclass
class QuestionnaireStatus:
    module: Module
    opens_at: dt.datetime | None  # end of the module's last session; None: not scheduled
    answered_at: dt.datetime | None
    is_open: bool


def questionnaire_overview(enrollment: Enrollment, *, now: dt.datetime | None = None) -> list:
    """Every module of the participant's programme with the state of its questionnaire: three queries."""
    now = now or timezone.now()
    modules = Module.objects.filter(programme_id=enrollment.cohort.programme_id).order_by("position")
    ends = defaultdict(list)
    for module_id, ends_at in Session.objects.filter(cohort_id=enrollment.cohort_id).values_list(
        "module_id", "ends_at"
    ):
        ends[module_id].append(ends_at)
    answered = dict(
        WaveResponse.objects.filter(enrollment=enrollment, module__isnull=False).values_list(
            "module_id", "submitted_at"
        )
    )
    rows = []
    for module in modules:
        opens_at = max(ends[module.pk], default=None)
        rows.append(
            QuestionnaireStatus(
                module=module,
                opens_at=opens_at,
                answered_at=answered.get(module.pk),
                is_open=opens_at is not None and opens_at <= now and module.pk not in answered,
            )
        )
    return rows


# --- the dashboard's snapshot -----------------------------------------------------------------

# The dashboard's figures cover the programme's whole history, so computing them costs more as
# the programme grows. The page shows a snapshot instead: computed on first use, kept in the cache,
# and computed afresh every few minutes by a beat task (``evaluation.tasks.refresh_statistics``).
SNAPSHOT_MAX_AGE = 60 * 60


def _snapshot_key(scope_number: int | None, language: str) -> str:
    return f"evaluation:statistics:{scope_number or 'all'}:{language}"


def statistics_snapshot(*, scope_number: int | None = None) -> tuple[Statistics, dt.datetime]:
    """The dashboard's figures and when they were computed, from the cache where it has them."""
    key = _snapshot_key(scope_number, translation.get_language() or settings.LANGUAGE_CODE)
    snapshot = cache.get(key)
    if snapshot is None:
        at = timezone.now()
        snapshot = (dashboard_statistics(scope_number=scope_number, now=at), at)
        cache.set(key, snapshot, SNAPSHOT_MAX_AGE)
    return snapshot


def refresh_snapshots(*, now: dt.datetime | None = None) -> int:
    """Compute the programme-wide figures afresh in every language; cohort views follow on use."""
    at = now or timezone.now()
    statistics = None
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            statistics = dashboard_statistics(now=at)
            cache.set(_snapshot_key(None, language), (statistics, at), SNAPSHOT_MAX_AGE)
    for cohort in statistics.cohorts if statistics else []:
        for language, _name in settings.LANGUAGES:
            cache.delete(_snapshot_key(cohort.number, language))
    return len(settings.LANGUAGES)
