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
import re
from collections.abc import Iterable, Sequence
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


def to_csv(header: Row, rows: Iterable[Row]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(value) for value in header])
    writer.writerows([neutralise(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(sheets: Iterable[tuple[str, Row, Iterable[Row]]]) -> bytes:
    """A workbook with one sheet per ``(title, header, rows)``."""
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
    buffer = io.BytesIO()
    workbook.save(buffer)
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


EXPORT_FORMATS = [CSV, XLSX]
# django-import-export keeps numbers and dates typed only for the formats in this list (it
# compares exact classes); the portal's XLSX is as binary as the one it replaces.
if XLSX not in base_formats.BINARY_FORMATS:
    base_formats.BINARY_FORMATS.append(XLSX)
