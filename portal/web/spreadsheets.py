"""Every CSV and XLSX file the portal writes goes through this module.

Text in an export can come from anyone who has an account (names, employers, free-text
answers). A spreadsheet program reads a cell that begins with "=", "+", "-" or "@" (or with a
TAB or carriage return in front of one) as a formula, so ``=HYPERLINK(...)`` typed into a form
would run on a staff computer that opens the export (CSV injection, OWASP). The contract:

- Text never becomes a formula. In CSV a text cell that begins with one of those characters
  gets a leading apostrophe (``'=HYPERLINK(...)``), which the spreadsheet shows as text. In XLSX
  every text cell is stored as a string (never as a formula), word for word, and a text that
  begins with one of those characters is marked with Excel's quote prefix, so that editing the
  cell does not turn it into a formula either.
- Numbers stay numbers. ``int``, ``float`` and ``Decimal`` values are written as they are, so a
  negative score is still a number; a text that is nothing but a number (``-3``, ``+4,5``) is
  no formula and is kept as it is, too (CSV has no types: numeric columns arrive as text).
- CSV is written for Excel in German: UTF-8 with byte-order mark, ``;`` between cells.

``to_csv`` and ``to_xlsx`` are for the portal's own views; ``CSV`` and ``XLSX`` are the same
writers as django-import-export formats (``EXPORT_FORMATS`` in the settings), so every admin
export uses them as well.
"""

import csv
import io
import itertools
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from import_export.formats import base_formats

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A signed number written with digits, decimal points and commas only: no formula.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Row = Sequence[object]


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet could read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value)


def neutralise(value: object) -> object:
    """The value as a CSV cell: formula-like text gets a leading apostrophe, the rest is unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value


def neutralise_text(text: str) -> str:
    """:func:`neutralise` for a value known to be text (a reader's text column)."""
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _neutral_rows(rows: Iterable[Row]) -> Iterator[list]:
    for row in rows:
        yield [neutralise(value) for value in row]


# Rows written into one piece of a streamed CSV.
CSV_BATCH = 500


def stream_csv(header: Row, rows: Iterable[Row], *, neutralised: bool = False) -> Iterator[bytes]:
    """The CSV file a batch of rows at a time, for a streaming response: memory stays bounded
    however many rows there are. With ``neutralised`` the rows' cells have been passed through
    :func:`neutralise` already (a reader that does it once per column or value)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(value) for value in header])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    rows = iter(rows if neutralised else _neutral_rows(rows))
    while batch := list(itertools.islice(rows, CSV_BATCH)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(batch)
        yield buffer.getvalue().encode("utf-8")


def to_csv(header: Row, rows: Iterable[Row]) -> bytes:
    return b"".join(stream_csv(header, rows))


def write_xlsx(sheets: Iterable[tuple[str, Row, Iterable[Row]]], target) -> None:
    """A workbook with one sheet per ``(title, header, rows)``, written into the file ``target``.
    openpyxl's write-only mode keeps only the current row in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.workbook.child import INVALID_TITLE_REGEX

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(INVALID_TITLE_REGEX.sub("-", str(title))[:31])

        def cell(value, sheet=sheet):
            if value is None or isinstance(value, bool | int | float | Decimal):
                return value
            if not isinstance(value, str):  # dates and times stay typed; other objects as text
                if hasattr(value, "isoformat"):
                    return value
                value = str(value)
            text = WriteOnlyCell(sheet)
            text.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            text.data_type = "s"  # never a formula, whatever the text begins with
            if value.startswith(FORMULA_START):
                text.quotePrefix = True
            return text

        sheet.append([cell(value) for value in header])
        for row in rows:
            sheet.append([cell(value) for value in row])
    workbook.save(target)


def xlsx_file(sheets: Iterable[tuple[str, Row, Iterable[Row]]]):
    """The workbook in a temporary file, rewound, for a streaming ``FileResponse``; the file is
    removed when the response closes it."""
    target = tempfile.TemporaryFile()
    write_xlsx(sheets, target)
    target.seek(0)
    return target


def to_xlsx(sheets: Iterable[tuple[str, Row, Iterable[Row]]]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer)
    return buffer.getvalue()


def _dataset_rows(dataset) -> tuple[list, list]:
    return list(dataset.headers or []), [list(row) for row in dataset]


class CSV(base_formats.CSV):
    """django-import-export's CSV, written by :func:`to_csv`."""

    CONTENT_TYPE = CSV_CONTENT_TYPE

    def is_binary(self):
        return True  # to_csv returns bytes (UTF-8 with BOM) already

    def can_import(self):
        return False

    def export_data(self, dataset, **kwargs):
        header, rows = _dataset_rows(dataset)
        return to_csv(header, rows)


class XLSX(base_formats.XLSX):
    """django-import-export's XLSX, written by :func:`to_xlsx`."""

    def can_import(self):
        return False

    def export_data(self, dataset, **kwargs):
        header, rows = _dataset_rows(dataset)
        return to_xlsx([(dataset.title or "Export", header, rows)])


def row_exporter(resource, selected_fields, *, native: bool):
    """``resource.export_resource`` for many rows: the same cells, with the fields, their names and
    their dehydrate methods looked up once per export instead of once per cell."""
    cells = []
    for field in resource.get_export_fields(selected_fields):
        dehydrate = field.get_dehydrate_method(resource.get_field_name(field))
        method = dehydrate if callable(dehydrate) else getattr(resource, dehydrate, None)
        cells.append((method, field))

    def export(instance) -> list:
        return [
            method(instance) if method is not None else field.export(instance, force_native_type=native)
            for method, field in cells
        ]

    return export


def export_rows(resource, selected_fields, queryset, *, native: bool, chunk_size: int) -> Iterator[list]:
    """The generic path: a model instance per row, each cell exported by its field."""
    if queryset._prefetch_related_lookups:
        objects = resource.iter_queryset(queryset)
    else:
        objects = queryset.iterator(chunk_size=chunk_size)
    export = row_exporter(resource, selected_fields, native=native)
    return (export(obj) for obj in objects)


def row_reader(resource, selected_fields, *, native: bool):
    """The resource's own reader of plain rows (``resource.row_reader``), if it has one: an
    object with ``rows(queryset, chunk_size=…)`` and ``by_key(queryset, keys)`` whose cells are
    those of :func:`row_exporter`, for the CSV already passed through :func:`neutralise`."""
    make = getattr(resource, "row_reader", None)
    return make(selected_fields, native=native) if make is not None else None


class StreamingExportMixin:
    """For a django-import-export admin: the export is written while it is sent, a row at a time
    from the database (CSV) or through a temporary file (XLSX), instead of being built in memory
    first. Columns, their names and the permission check stay import-export's."""

    export_chunk_size = 2000

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        from django.core.exceptions import PermissionDenied
        from django.http import FileResponse, StreamingHttpResponse
        from import_export.signals import post_export

        if not self.has_export_permission(request):
            raise PermissionDenied
        resource = self.choose_export_resource_class(export_form, request)(
            **self.get_export_resource_kwargs(request)
        )
        resource.before_export(queryset)
        queryset = resource.filter_export(queryset)
        selected = self.get_export_resource_fields_from_form(export_form)
        header = resource.get_export_headers(selected_fields=selected)
        native = isinstance(file_format, XLSX)
        reader = row_reader(resource, selected, native=native)
        if queryset._prefetch_related_lookups:
            reader = None  # what is prefetched is read from model instances
        if reader is not None:
            rows = reader.rows(queryset, chunk_size=self.export_chunk_size)
        else:
            rows = export_rows(resource, selected, queryset, native=native, chunk_size=self.export_chunk_size)
        filename = self.get_export_filename(request, queryset, file_format)
        if native:
            title = str(self.model._meta.verbose_name_plural)
            response = FileResponse(
                xlsx_file([(title, header, rows)]),
                content_type=XLSX_CONTENT_TYPE,
                as_attachment=True,
                filename=filename,
            )
        else:
            content = stream_csv(header, rows, neutralised=reader is not None)
            response = StreamingHttpResponse(content, content_type=CSV_CONTENT_TYPE)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        post_export.send(sender=None, model=self.model)
        return response


EXPORT_FORMATS = [CSV, XLSX]
# django-import-export keeps numbers and dates typed only for the formats in this list (it
# compares exact classes); the portal's XLSX is as binary as the one it replaces.
if XLSX not in base_formats.BINARY_FORMATS:
    base_formats.BINARY_FORMATS.append(XLSX)
