"""Writing an evaluation export as CSV or XLSX (with a second sheet explaining the columns).

Both go through ``portal.web.spreadsheets``, which keeps text from being run as a formula.
"""

from django.utils.translation import gettext as _

from portal.web import spreadsheets

from .export_rows import Table


def stream_csv(table: Table):
    """The CSV file in chunks, read from the database while it is sent."""
    return spreadsheets.stream_csv(table.columns, table.rows)


def _sheets(table: Table) -> list:
    return [
        (_("Daten"), table.columns, table.rows),
        (
            _("Erläuterungen"),
            [_("Spalte"), _("Bedeutung")],
            zip(table.columns, table.descriptions, strict=True),
        ),
    ]


def xlsx_file(table: Table):
    """The workbook in a temporary file, written a row at a time, rewound for sending."""
    return spreadsheets.xlsx_file(_sheets(table))


def to_csv(table: Table) -> bytes:
    return spreadsheets.to_csv(table.columns, table.rows)


def to_xlsx(table: Table) -> bytes:
    return spreadsheets.to_xlsx(_sheets(table))
