"""The rows of the pseudonymised exports: one per person and cohort, one per questionnaire answer.

Named apart from ``evaluation.exports``, which writes these tables as CSV or XLSX: this module
reads and pseudonymises, that one formats. The rows are read a batch of cohorts at a time while
the file is written, in a fixed number of queries per batch.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application
from certificates.models import Certificate
from cohorts.models import Cohort, Enrollment
from cohorts.selectors import programme_slug
from modules.models import Attendance, Module

from . import instruments, module_instrument
from .disclosure import iso_week, protect_regions, pseudonym
from .models import Answer, Item, WaveResponse
from .participation import Participation, load_participation

NO_MUNICIPALITY = "andere"

PERSON_COLUMNS = [
    (
        "pseudonym",
        gettext_lazy(
            "Pseudonym der Person (HMAC-SHA256), in allen Exporten und Durchgängen gleich; "
            "leer = anonymisierte Bewerbung"
        ),
    ),
    ("durchgang", gettext_lazy("Nummer des Schulungsdurchgangs")),
    (
        "kommunenart",
        gettext_lazy("stadt, gemeinde, amt, verbandsgemeinde; andere = keine Kommune; < 3 = unterdrückt"),
    ),
    ("landkreis", gettext_lazy("Landkreis oder kreisfreie Stadt der Kommune; < 3 = unterdrückt")),
    (
        "bewerbungsstatus",
        gettext_lazy(
            "submitted, in_review, accepted, waitlisted, rejected, withdrawn; leer = ohne Bewerbung im Portal"
        ),
    ),
    (
        "strategie",
        gettext_lazy("Smart-City- oder Digitalstrategie der Kommune: yes, in_progress, planned, no"),
    ),
    ("eingereicht_kw", gettext_lazy("ISO-Kalenderwoche der Einreichung")),
    ("entschieden_kw", gettext_lazy("ISO-Kalenderwoche der (letzten) Entscheidung")),
    ("zurueckgezogen_kw", gettext_lazy("ISO-Kalenderwoche des Rückzugs")),
    ("platz", gettext_lazy("offered, confirmed, declined; leer = kein Platz")),
    ("sitzungen", gettext_lazy("Sitzungen des Durchgangs, die begonnen haben")),
    ("anwesend", gettext_lazy("Sitzungen mit Anwesenheit")),
    ("entschuldigt", gettext_lazy("Sitzungen mit entschuldigtem Fehlen")),
    ("abwesend", gettext_lazy("Sitzungen mit unentschuldigtem Fehlen")),
    ("module_abgeschlossen", gettext_lazy("Anzahl abgeschlossener Module")),
]
MODULE_COLUMN = "modul_{}"
CERTIFICATE_COLUMN = ("zertifikat", gettext_lazy("1 = gültiges Zertifikat ausgestellt, 0 = nicht"))
QUESTIONNAIRE_COLUMNS = [
    ("pseudonym", gettext_lazy("Pseudonym der Person, wie im Export der Teilnahme")),
    ("durchgang", gettext_lazy("Nummer des Schulungsdurchgangs")),
    ("modul", gettext_lazy("Nummer des Moduls")),
    ("beantwortet_kw", gettext_lazy("ISO-Kalenderwoche der Antwort")),
]
COMMENT_COLUMN = ("freitext", gettext_lazy("Anmerkungen der Person (Freitext)"))


@dataclass
class Table:
    """An export: column names, their explanations and the rows (lists of str or int), which
    may be an iterator that reads the database while the file is written."""

    columns: list
    descriptions: list
    rows: Iterable


# An export reads this many cohorts at a time: memory holds their rows, and the number of queries
# grows by one batch's worth for every so many cohorts the programme has run.
EXPORT_BATCH = 10


def _programme_cohort_batches() -> list[list[Cohort]]:
    """The cohorts of the portal's programme, by number, in batches of ``EXPORT_BATCH``."""
    cohorts = list(Cohort.objects.filter(programme__slug=programme_slug()).order_by("number"))
    return [cohorts[i : i + EXPORT_BATCH] for i in range(0, len(cohorts), EXPORT_BATCH)]


def person_export(*, now: dt.datetime | None = None) -> Table:
    """One row per received application and per enrollment without one, pseudonymised.

    Suppression of small groups and the order of the rows both work within a cohort, so the rows
    are built a batch of cohorts at a time while the file is written: memory holds one batch,
    however many cohorts the programme has run.
    """
    now = now or timezone.now()
    batches = _programme_cohort_batches()
    modules = list(Module.objects.filter(programme__slug=programme_slug()).order_by("position"))
    positions = [m.position for m in modules]
    columns = [name for name, _d in PERSON_COLUMNS] + [MODULE_COLUMN.format(p) for p in positions]
    columns.append(CERTIFICATE_COLUMN[0])
    descriptions = [str(d) for _n, d in PERSON_COLUMNS]
    descriptions += [
        _("Modul %(position)s: 1 = abgeschlossen, 0 = nicht abgeschlossen; leer = keine Teilnahme")
        % {"position": p}
        for p in positions
    ]
    descriptions.append(str(CERTIFICATE_COLUMN[1]))

    def rows():
        for batch in batches:
            people = _person_rows(batch, modules, now)
            yield from ([row[c] for c in columns] for row in people)

    return Table(columns, descriptions, rows())


def _batch_records(numbers: dict):
    """The enrollments (by id), received applications and certified enrollments of a batch of
    cohorts. The applications stay a queryset: they are read while the rows are built."""
    enrollments = {
        row["pk"]: row
        for row in Enrollment.objects.filter(cohort__in=numbers).values(
            "pk", "user_id", "cohort_id", "state", "municipality__district", "municipality__kind"
        )
    }
    applications = Application.objects.filter(cohort__in=numbers, submitted_at__isnull=False).values(
        "applicant_id",
        "cohort_id",
        "status",
        "strategy",
        "submitted_at",
        "decided_at",
        "withdrawn_at",
        "enrollment_id",
        "municipality__district",
        "municipality__kind",
    )
    certified = set(
        Certificate.objects.filter(cohort__in=numbers, status=Certificate.Status.ISSUED).values_list(
            "enrollment_id", flat=True
        )
    )
    return enrollments, applications, certified


@dataclass
class _Batch:
    """What the rows of a batch of cohorts are built from, loaded once for the batch."""

    numbers: dict  # cohort id -> cohort number
    modules: list
    participation: Participation
    begun: Counter  # cohort id -> sessions that have begun
    certified: set  # ids of enrollments with an issued certificate

    def person_row(self, user_id, cohort_id, district, kind, application, enrollment) -> dict:
        row = {
            # An anonymised application no longer points to a person: it stays in the figures only.
            "pseudonym": pseudonym(user_id) if user_id is not None else "",
            "durchgang": self.numbers[cohort_id],
            "kommunenart": kind or NO_MUNICIPALITY,
            "landkreis": district or "",
            "bewerbungsstatus": application["status"] if application else "",
            "strategie": application["strategy"] if application else "",
            "eingereicht_kw": iso_week(application["submitted_at"]) if application else "",
            "entschieden_kw": iso_week(application["decided_at"]) if application else "",
            "zurueckgezogen_kw": iso_week(application["withdrawn_at"]) if application else "",
            "platz": enrollment["state"] if enrollment else "",
        }
        if enrollment and enrollment["state"] == Enrollment.State.CONFIRMED:
            self._add_course(row, enrollment["pk"], cohort_id)
        else:
            row.update(dict.fromkeys(["sitzungen", "anwesend", "entschuldigt", "abwesend"], ""))
            row["module_abgeschlossen"] = ""
            row.update({MODULE_COLUMN.format(m.position): "" for m in self.modules})
            row["zertifikat"] = ""
        return row

    def _add_course(self, row: dict, enrollment_id: int, cohort_id: int) -> None:
        """A participant's attendance, completed modules and certificate, into their row."""
        participation = self.participation
        statuses = Counter(participation.attendance.get(enrollment_id, {}).values())
        done = {m.position: participation.completed(enrollment_id, cohort_id, m.pk) for m in self.modules}
        row.update(
            sitzungen=self.begun[cohort_id],
            anwesend=statuses[Attendance.Status.PRESENT],
            entschuldigt=statuses[Attendance.Status.EXCUSED],
            abwesend=statuses[Attendance.Status.ABSENT],
            module_abgeschlossen=sum(done.values()),
        )
        row.update({MODULE_COLUMN.format(p): int(d) for p, d in done.items()})
        row["zertifikat"] = int(enrollment_id in self.certified)


def _rows_of(batch: _Batch, enrollments: dict, applications) -> list[dict]:
    """One row per received application, then one per enrollment without one."""
    rows = []
    linked = set()
    for application in applications:
        enrollment = enrollments.get(application["enrollment_id"])
        linked.add(application["enrollment_id"])
        district = application["municipality__district"]
        kind = application["municipality__kind"]
        if enrollment and enrollment["municipality__kind"]:
            district, kind = enrollment["municipality__district"], enrollment["municipality__kind"]
        rows.append(
            batch.person_row(
                application["applicant_id"], application["cohort_id"], district, kind, application, enrollment
            )
        )
    for pk, enrollment in enrollments.items():
        if pk not in linked:
            rows.append(
                batch.person_row(
                    enrollment["user_id"],
                    enrollment["cohort_id"],
                    enrollment["municipality__district"],
                    enrollment["municipality__kind"],
                    None,
                    enrollment,
                )
            )
    return rows


def _person_rows(cohorts: list[Cohort], modules: list, now: dt.datetime) -> list[dict]:
    """The export rows of a batch of cohorts, suppressed and sorted: seven queries."""
    numbers = {cohort.pk: cohort.number for cohort in cohorts}
    enrollments, applications, certified = _batch_records(numbers)
    confirmed = [pk for pk, e in enrollments.items() if e["state"] == Enrollment.State.CONFIRMED]
    participation = load_participation(confirmed, now, list(numbers))
    begun = Counter(s.cohort_id for s in participation.sessions if s.starts_at <= now)
    batch = _Batch(numbers, modules, participation, begun, certified)
    rows = _rows_of(batch, enrollments, applications)
    protect_regions(rows, cohort="durchgang", district="landkreis", kind="kommunenart")
    # Sorted by cohort and pseudonym: the order of the rows tells nothing about who applied first.
    rows.sort(key=lambda row: (row["durchgang"], row["pseudonym"]))
    return rows


def _export_value(item: Item, values: dict):
    value = values.get(item.key)
    if value is None:
        return ""
    number, text, choices = value
    if number is not None:
        return number
    return ";".join(choices) if choices else text


def _questionnaire_block(numbers: dict, items: list[Item]) -> list[list]:
    """The rows of one batch of cohorts, sorted: two queries."""
    responses = WaveResponse.objects.filter(module__isnull=False, enrollment__cohort__in=numbers)
    values = defaultdict(dict)
    for response_id, key, number, text, choices in Answer.objects.filter(
        response__module__isnull=False, response__enrollment__cohort__in=numbers
    ).values_list("response_id", "item__key", "number", "text", "choices"):
        values[response_id][key] = (number, text, choices)
    block = [
        [
            pseudonym(user_id),
            numbers[cohort_id],
            position,
            iso_week(submitted_at),
            *(_export_value(item, values[pk]) for item in items),
        ]
        for pk, user_id, cohort_id, position, submitted_at in responses.values_list(
            "pk", "enrollment__user_id", "enrollment__cohort_id", "module__position", "submitted_at"
        )
    ]
    block.sort(key=lambda row: (row[1], row[2], row[0]))
    return block


def _item_column(item: Item) -> tuple[str, str]:
    if item.key == module_instrument.MODULE_COMMENT:
        return COMMENT_COLUMN
    if item.kind == Item.Kind.LIKERT:
        return (
            item.key,
            _("1 (trifft gar nicht zu) bis 5 (trifft voll zu), leer = keine Angabe: %(statement)s")
            % {"statement": instruments.item_text(item)},
        )
    return (item.key, instruments.item_text(item))


def questionnaire_export() -> Table:
    """Every answer to the questionnaire after the modules, one row per module and person, with
    the pseudonym as the only link to a person; read a batch of cohorts at a time while the file
    is written. The columns are the items of the questionnaire's current version; answers to
    earlier versions fill them by the items' keys."""
    batches = _programme_cohort_batches()
    items = module_instrument.current_items()

    def rows():
        for batch in batches:
            yield from _questionnaire_block({cohort.pk: cohort.number for cohort in batch}, items)

    columns = [*QUESTIONNAIRE_COLUMNS, *(_item_column(item) for item in items)]
    return Table([name for name, _d in columns], [str(d) for _n, d in columns], rows())
