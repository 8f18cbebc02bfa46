"""Writing an evaluation export as CSV or XLSX (with a second sheet explaining the columns).

Both go through ``portal.spreadsheets``, which keeps text from being run as a formula.
"""

from django.utils.translation import gettext as _

from portal import spreadsheets

from .selectors import Table


def to_csv(table: Table) -> bytes:
    return spreadsheets.to_csv(table.columns, table.rows)


def to_xlsx(table: Table) -> bytes:
    return spreadsheets.to_xlsx(
        [
            (_("Daten"), table.columns, table.rows),
            (
                _("Erläuterungen"),
                [_("Spalte"), _("Bedeutung")],
                zip(table.columns, table.descriptions, strict=True),
            ),
        ]
    )
