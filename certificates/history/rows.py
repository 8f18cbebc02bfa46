"""What each row of an import file writes, found by natural keys so that a second import of the
same file finds everything in place and reports it unchanged."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cohorts.models import BERLIN, Cohort, Enrollment
from modules.models import Attendance, Module, Session
from portal.accounts import roles
from portal.accounts.models import User

from . import columns
from .certificate_rows import certificate_cells, write_certificate
from .engine import CHANGED, CREATED, UNCHANGED, Row, RowError, merge
from .matching import Mismatch, MunicipalityIndex
from .models import ImportedEnrollment, ImportRun


@dataclass
class Context:
    programme: object
    by: User | None
    at: dt.datetime
    report: object
    municipalities: MunicipalityIndex = field(default_factory=MunicipalityIndex)
    seen: dict = field(default_factory=dict)
    letters: list = field(default_factory=list)
    run: ImportRun | None = None

    def __post_init__(self):
        self.run = ImportRun.objects.create(
            kind=self.report.kind.slug,
            file_name=self.report.file_name[:200],
            file_sha256=self.report.sha256,
            imported_by=self.by,
            imported_at=self.at,
        )

    def once(self, row: Row, key: tuple, column: str) -> bool:
        """False (with the error) when an earlier row of the file had the same key."""
        first = self.seen.setdefault(key, row.line)
        if first != row.line:
            row.error(column, _("Derselbe Eintrag steht schon in Zeile %(line)s.") % {"line": first})
            return False
        return True

    def cohort(self, row: Row) -> Cohort | None:
        number = row.integer("durchgang", required=True)
        if number is None:
            return None
        cohort = Cohort.objects.filter(programme=self.programme, number=number).first()
        if cohort is None:
            row.error(
                "durchgang",
                _("Den Durchgang %(number)s gibt es nicht. Bitte importieren Sie zuerst die Durchgänge.")
                % {"number": number},
            )
        return cohort

    def finish(self) -> None:
        report = self.report
        ImportRun.objects.filter(pk=self.run.pk).update(
            rows=len(report.rows),
            created=report.count(CREATED),
            changed=report.count(CHANGED),
            unchanged=report.count(UNCHANGED),
        )


# --- Cohorts -----------------------------------------------------------------------------------


def cohort_row(context: Context, row: Row) -> None:
    number = row.integer("nummer", required=True)
    title = row.text("titel", required=True)
    title_en = row.text("titel_en")
    start, end = row.date("beginn", required=True), row.date("ende", required=True)
    seats = row.integer("plaetze") or 15
    if start and end and end < start:
        row.error("ende", _("Das Ende liegt vor dem Beginn."))
    if row.result.errors or not context.once(row, ("cohort", number), "nummer"):
        return
    existing = Cohort.objects.filter(programme=context.programme, number=number).first()
    if existing is not None:
        for column, value, kept in (
            ("titel", title, existing.title),
            ("beginn", start, existing.start_date),
            ("ende", end, existing.end_date),
        ):
            if value != kept:
                shown = kept.strftime("%d.%m.%Y") if isinstance(kept, dt.date) else kept
                row.error(
                    column,
                    _("Den Durchgang %(number)s gibt es schon, mit „%(value)s“.")
                    % {"number": number, "value": shown},
                )
        merge(row, UNCHANGED, _("Durchgang %(number)s vorhanden") % {"number": number})
        return
    if number > 1 and not Cohort.objects.filter(programme=context.programme, number=number - 1).exists():
        row.error(
            "nummer",
            _(
                "Vor dem Durchgang %(number)s fehlt der Durchgang %(before)s: Die Nummern bleiben "
                "lückenlos. Bitte importieren Sie ihn zuerst oder in derselben Datei davor."
            )
            % {"number": number, "before": number - 1},
        )
        return
    closed = start - dt.timedelta(days=1)
    Cohort.objects.create(
        programme=context.programme,
        number=number,
        title=title,
        title_en=title_en,
        start_date=start,
        end_date=end,
        seats=seats,
        review_phase="closed",
        applications_close_on=closed,
        applications_open_at=dt.datetime.combine(closed, dt.time.min, tzinfo=BERLIN),
    )
    merge(row, CREATED, _("Durchgang %(number)s angelegt") % {"number": number})


# --- Participations ------------------------------------------------------------------------------


def _municipality(context: Context, row: Row):
    found = context.municipalities.match(
        ags=row.text("ags", max_length=8),
        name=row.text("kommune", max_length=120),
        district=row.text("landkreis", max_length=120),
    )
    if isinstance(found, Mismatch):
        row.error(found.column if row.has(found.column) else "kommune", found.message)
        return None
    return found


def _person(context: Context, row: Row, email: str, first: str, last: str) -> tuple[User, bool]:
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    # No password and no mail: the person claims the account later, when a coordinator invites them.
    user = User.objects.create_user(email=email, password=None, first_name=first, last_name=last)
    user.groups.add(roles.group(roles.PARTICIPANTS))
    return user, True


def _enrollment(context: Context, row: Row, cohort: Cohort, email: str) -> None:
    first = row.text("vorname", required=True, max_length=150)
    last = row.text("nachname", required=True, max_length=150)
    municipality = _municipality(context, row)
    unit = row.text("organisationseinheit")
    if row.result.errors:
        return None
    user, new_person = _person(context, row, email, first, last)
    enrollment, created = Enrollment.objects.get_or_create(
        cohort=cohort, user=user, defaults={"municipality": municipality, "state": Enrollment.State.CONFIRMED}
    )
    changed = False
    if not created and municipality is not None and enrollment.municipality_id != municipality.pk:
        enrollment.municipality = municipality
        enrollment.save(update_fields=["municipality"])
        changed = True
    imported, made = ImportedEnrollment.objects.get_or_create(
        enrollment=enrollment, defaults={"run": context.run, "unit": unit}
    )
    if not made and unit and imported.unit != unit:
        imported.unit = unit
        imported.save(update_fields=["unit"])
        changed = True
    if created:
        summary = _("Person und Teilnahme angelegt") if new_person else _("Teilnahme angelegt")
        merge(row, CREATED, summary)
    else:
        merge(row, CHANGED if changed else UNCHANGED, _("Teilnahme vorhanden"))
    return enrollment


def _existing_enrollment(row: Row, cohort: Cohort, email: str) -> Enrollment:
    enrollment = Enrollment.objects.filter(cohort=cohort, user__email__iexact=email).first()
    if enrollment is None:
        raise RowError(
            "e_mail",
            _(
                "%(email)s nimmt nicht am Durchgang %(number)s teil. Bitte importieren "
                "Sie zuerst die Teilnehmer:innen."
            )
            % {"email": email, "number": cohort.number},
        )
    return enrollment


def _session(context: Context, cohort: Cohort, module: Module) -> Session:
    session = Session.objects.filter(cohort=cohort, module=module).order_by("starts_at").first()
    if session is None:
        starts = dt.datetime.combine(cohort.start_date, dt.time(9), tzinfo=BERLIN)
        session = Session.objects.create(
            cohort=cohort, module=module, starts_at=starts, ends_at=starts + dt.timedelta(hours=7)
        )
    return session


def _module(context: Context, row: Row, column: str, position: int | None) -> Module | None:
    module = Module.objects.filter(programme=context.programme, position=position).first()
    if module is None:
        row.error(column, _("Das Modul %(number)s gibt es im Programm nicht.") % {"number": position})
    return module


def _attend(context: Context, row: Row, enrollment: Enrollment, pairs: list[tuple[Module, str]]) -> None:
    changed = 0
    for module, status in pairs:
        session = _session(context, enrollment.cohort, module)
        attendance, created = Attendance.objects.get_or_create(
            session=session, enrollment=enrollment, defaults={"status": status, "recorded_by": context.by}
        )
        if not created and attendance.status != status:
            attendance.status = status
            attendance.recorded_by = context.by
            attendance.save(update_fields=["status", "recorded_by", "recorded_at"])
        changed += created or attendance.status != status
    if pairs:
        merge(
            row,
            CHANGED if changed else UNCHANGED,
            _("Anwesenheit in %(count)s Modul(en)") % {"count": len(pairs)},
        )


def _attendance_cells(context: Context, row: Row, cells: list[tuple[str, int | None, str]]):
    pairs = []
    for column, position, value in cells:
        if not value:
            continue
        status = columns.ATTENDANCE_VALUES.get(value.casefold())
        if status is None:
            row.error(
                column, _("„%(value)s“: bitte „anwesend“, „entschuldigt“ oder „abwesend“.") % {"value": value}
            )
            continue
        module = _module(context, row, column, position)
        if module is not None:
            pairs.append((module, status))
    return pairs


def _complete(context: Context, row: Row, enrollment: Enrollment, completed_on: dt.date | None) -> None:
    if completed_on is None:
        return
    imported, _made = ImportedEnrollment.objects.get_or_create(
        enrollment=enrollment, defaults={"run": context.run}
    )
    if imported.completed_on == completed_on:
        merge(row, UNCHANGED, _("Abschluss vorhanden"))
        return
    imported.completed_on = completed_on
    imported.save(update_fields=["completed_on"])
    merge(row, CHANGED, _("Abschluss am %(date)s") % {"date": completed_on.strftime("%d.%m.%Y")})


def participation_row(context: Context, row: Row) -> None:
    kind = context.report.kind
    cohort = context.cohort(row)
    email = row.email("e_mail")
    module_key = row.integer("modul", required=True) if kind is columns.ATTENDANCE else None
    if row.has("modul"):
        cells = [("anwesenheit", module_key, row.text("anwesenheit", required=True))]
    else:
        cells = [(c, int(c[-1]), row.text(c)) for c in columns.MODULE_COLUMNS if row.has(c)]
    pairs = _attendance_cells(context, row, cells)
    completed_on = row.date("abgeschlossen_am", required=kind is columns.COMPLETION)
    certificate = certificate_cells(row, required=kind is columns.CERTIFICATES)
    if cohort is None or not context.once(row, (kind.slug, cohort.number, email, module_key), "e_mail"):
        return
    if kind is columns.PARTICIPANTS:
        enrollment = _enrollment(context, row, cohort, email)
    elif not row.result.errors:
        enrollment = _existing_enrollment(row, cohort, email)
    if row.result.errors:
        return
    _attend(context, row, enrollment, pairs)
    _complete(context, row, enrollment, completed_on)
    if certificate is not None:
        write_certificate(context, row, enrollment, certificate)


HANDLERS = {columns.COHORTS.slug: cohort_row} | {
    kind.slug: participation_row for kind in columns.KINDS if kind is not columns.COHORTS
}
