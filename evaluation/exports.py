"""Writing an export table as CSV (for Excel in German: semicolons, UTF-8 with BOM) or XLSX.

Both formats keep a cell that starts with "=", "+", "-" or "@" from being run as a formula by a
spreadsheet (CSV injection): CSV prefixes it with an apostrophe, XLSX stores it as plain text.
"""

import csv
import io

from django.utils.translation import gettext as _

from .selectors import Table

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(_("Daten"))

    def cell(value):
        if isinstance(value, str):
            text = WriteOnlyCell(data, value=None)
            text.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            text.data_type = "s"  # never a formula, whatever the text begins with
            return text
        return value

    data.append(table.columns)
    for row in table.rows:
        data.append([cell(value) for value in row])
    codebook = workbook.create_sheet(_("Erläuterungen"))
    codebook.append([_("Spalte"), _("Bedeutung")])
    for column, description in zip(table.columns, table.descriptions, strict=True):
        codebook.append([column, description])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
