"""Running an import file: read it, check its header, then every row in one transaction that a
dry run (or any error) rolls back (see ``engine``)."""

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import columns
from .engine import Report, Row, RowError, RowResult, check_header, check_text_rules
from .reader import FileRefused, read
from .rows import HANDLERS, Context


def run(content: bytes, file_name: str, *, programme, by, at: dt.datetime, dry_run: bool = True) -> Report:
    """Read, check and (unless ``dry_run`` or anything fails) write an import file."""
    report = Report(file_name=file_name, sha256=hashlib.sha256(content).hexdigest())
    try:
        sheet = read(content, file_name)
    except FileRefused as refused:
        report.file_errors.append(refused.message)
        return report
    report.kind = check_header(sheet, report)
    if report.file_errors:
        return report
    with transaction.atomic():
        context = Context(programme=programme, by=by, at=at, report=report)
        for line, cells in sheet.rows:
            result = RowResult(line=line)
            report.rows.append(result)
            row = Row(line, cells, sheet.header, result)
            check_text_rules(row)
            _write_row(context, row, report.kind)
        if not report.rows:
            report.file_errors.append(_("Die Datei enthält keine Datenzeilen."))
        if report.ok and not dry_run:
            context.finish()
            report.written = True
            report.run_id = context.run.pk
        else:
            report.letters = context.letters
            transaction.set_rollback(True)
    if report.written:
        report.letters = context.letters
    return report


def _write_row(context, row: Row, kind: columns.Kind) -> None:
    try:
        with transaction.atomic():
            HANDLERS[kind.slug](context, row)
            if row.result.errors:
                raise RowError("", "")  # undo this row's writes; its errors are recorded
    except RowError as error:
        if error.message:
            row.error(error.column, error.message)
    except IntegrityError:
        row.error("", _("Diese Zeile widerspricht einem vorhandenen Datensatz."))
