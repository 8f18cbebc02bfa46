"""The import's engine: a dry run and the import are the same run, and a dry run (or any error)
rolls everything back. So the dry run reports exactly what the import will do, row by row, and
nothing is written until a person confirms a run without errors.

Re-importing a file changes nothing: every row finds its records by their natural keys (a
cohort by its number, a person by e-mail address, a participation by cohort and person, a
certificate by its number) and reports them as unchanged.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.web.text import MESSAGE as TEXT_MESSAGE
from portal.web.text import refused_characters

from . import columns
from .reader import Sheet, column_letter

CREATED, CHANGED, UNCHANGED, FAILED = "created", "changed", "unchanged", "failed"
OUTCOME_LABELS = {
    CREATED: _lazy("neu"),
    CHANGED: _lazy("geändert"),
    UNCHANGED: _lazy("unverändert"),
    FAILED: _lazy("Fehler"),
}
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")


@dataclass(frozen=True)
class CellError:
    line: int
    column: str  # the spreadsheet's letter, "C"
    header: str  # the column's name, "e_mail"
    message: str


@dataclass
class RowResult:
    line: int
    outcome: str = UNCHANGED
    summary: list[str] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])


@dataclass
class Report:
    file_name: str
    sha256: str
    kind: columns.Kind | None = None
    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    written: bool = False
    run_id: int | None = None
    letters: list = field(default_factory=list)  # the certificates of the file, for the letters

    @property
    def errors(self) -> list[CellError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def error_count(self) -> int:
        return len(self.errors) + len(self.file_errors)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {outcome: self.count(outcome) for outcome in OUTCOME_LABELS}


class RowError(Exception):
    """A row cannot be written as it stands: the column at fault and why."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


class Row:
    """One data row: its cells as typed values, and the errors met while reading them."""

    def __init__(self, line: int, cells: dict[str, str], header: list[str], result: RowResult):
        self.line = line
        self.cells = cells
        self.header = header
        self.result = result

    def error(self, column: str, message: str) -> None:
        letter = column_letter(self.header.index(column)) if column in self.header else "–"
        self.result.errors.append(CellError(self.line, letter, column, str(message)))
        self.result.outcome = FAILED

    def has(self, column: str) -> bool:
        return column in self.header

    def text(self, column: str, *, required: bool = False, max_length: int = 200) -> str:
        value = self.cells.get(column, "")
        if required and not value:
            self.error(column, _("Dieses Feld ist leer, muss aber ausgefüllt sein."))
        elif len(value) > max_length:
            self.error(column, _("Höchstens %(max)s Zeichen.") % {"max": max_length})
        return value

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        for form in DATE_FORMATS:
            try:
                return dt.datetime.strptime(value, form).date()
            except ValueError:
                continue
        self.error(column, _("„%(value)s“ ist kein gültiges Datum (TT.MM.JJJJ).") % {"value": value})
        return None

    def integer(self, column: str, *, required: bool = False) -> int | None:
        value = self.text(column, required=required)
        if value and not re.fullmatch(r"\d{1,4}", value):
            self.error(column, _("„%(value)s“ ist keine ganze Zahl.") % {"value": value})
            return None
        return int(value) if value else None

    def email(self, column: str) -> str:
        value = self.text(column, required=True, max_length=254).lower()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.error(column, _("„%(value)s“ ist keine gültige E-Mail-Adresse.") % {"value": value})
        return value


def merge(row: Row, outcome: str, summary: str) -> None:
    if outcome == CREATED and row.result.outcome != CREATED:
        row.result.outcome = CREATED if not row.result.summary else CHANGED
    elif outcome == CHANGED and row.result.outcome == UNCHANGED:
        row.result.outcome = CHANGED
    row.result.summary.append(summary)


def check_text_rules(row: Row) -> None:
    """The portal's text rules: no invisible control characters (bidi overrides and the like)."""
    for column, value in row.cells.items():
        refused = refused_characters(value)
        if refused:
            row.error(column, TEXT_MESSAGE % {"characters": ", ".join(refused)})


def check_header(sheet: Sheet, report: Report) -> columns.Kind | None:
    kind = columns.detect(sheet.header)
    if kind is None:
        names = "; ".join(f"{k.label}: {', '.join(k.required)}" for k in columns.KINDS)
        report.file_errors.append(
            _("Die Spaltennamen passen zu keiner Vorlage. Erwartet werden: %(names)s.") % {"names": names}
        )
        return None
    unknown = [name for name in sheet.header if name and name not in kind.columns]
    duplicates = sorted({name for name in sheet.header if name and sheet.header.count(name) > 1})
    if unknown:
        report.file_errors.append(
            _("Unbekannte Spalten: %(columns)s. Erlaubt sind: %(allowed)s.")
            % {"columns": ", ".join(unknown), "allowed": ", ".join(kind.columns)}
        )
    if duplicates:
        report.file_errors.append(_("Doppelte Spalten: %(columns)s.") % {"columns": ", ".join(duplicates)})
    return kind
