"""Reading an import file (CSV or XLSX) into rows of text, or refusing it with a clear reason.

- CSV must be UTF-8 (with or without byte-order mark); comma, semicolon (Excel in German) and
  tab are recognised from the header line. Another encoding is refused, never guessed.
- XLSX is read with openpyxl without evaluating anything: a formula arrives as its text
  (``=SUMME(A1:A3)``), never as a result. Merged cells are refused (their value would stand in
  one cell only).
- Every cell is text, stripped and in NFC. The size is bounded by the portal's upload limit and
  ``MAX_ROWS``.
"""

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

MAX_ROWS = 2000


class FileRefused(Exception):
    """The file as a whole cannot be read; nothing of it is imported."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line in the file, cells)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value).strip())


def _sheet(lines: list[list]) -> Sheet:
    if not lines or not any(_cell_text(v) for v in lines[0]):
        raise FileRefused(_("Die Datei ist leer oder ihre erste Zeile enthält keine Spaltennamen."))
    header = [_cell_text(v).lower() for v in lines[0]]
    sheet = Sheet(header=header)
    for number, values in enumerate(lines[1:], start=2):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        if len(sheet.rows) >= MAX_ROWS:
            raise FileRefused(
                _("Die Datei hat mehr als %(max)s Datenzeilen. Bitte teilen Sie sie auf.") % {"max": MAX_ROWS}
            )
        sheet.rows.append(
            (number, {header[i]: cells[i] if i < len(cells) else "" for i in range(len(header))})
        )
    return sheet


def _read_csv(content: bytes) -> Sheet:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            _(
                "Die Datei ist nicht UTF-8-kodiert. Bitte speichern Sie sie in Excel als „CSV UTF-8 "
                "(durch Trennzeichen getrennt)“ oder laden Sie die XLSX-Datei hoch."
            )
        ) from None
    if "\x00" in text:
        raise FileRefused(_("Die Datei enthält Nullbytes und ist keine Textdatei."))
    first = text.split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first.count)
    return _sheet(list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))


def _read_xlsx(content: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), data_only=False)
    except Exception:  # noqa: BLE001 - whatever openpyxl cannot open is no workbook for us
        raise FileRefused(_("Die Datei lässt sich nicht als Excel-Arbeitsmappe (XLSX) lesen.")) from None
    sheet = workbook.worksheets[0]
    merged = [str(r) for r in sheet.merged_cells.ranges]
    if merged:
        raise FileRefused(
            _("Die Tabelle enthält verbundene Zellen (%(ranges)s). Bitte heben Sie den Verbund auf.")
            % {"ranges": ", ".join(merged[:5])}
        )
    if sheet.max_row > MAX_ROWS + 1:
        raise FileRefused(
            _("Die Datei hat mehr als %(max)s Datenzeilen. Bitte teilen Sie sie auf.") % {"max": MAX_ROWS}
        )
    return _sheet([list(row) for row in sheet.iter_rows(values_only=True)])


def read(content: bytes, file_name: str) -> Sheet:
    """The file's first sheet as text rows, or ``FileRefused`` with the reason."""
    if len(content) > settings.PORTAL_MAX_REQUEST_BYTES:
        raise FileRefused(
            _("Die Datei ist größer als %(size)s MB.")
            % {"size": settings.PORTAL_MAX_REQUEST_BYTES // (1024 * 1024)}
        )
    if content[:2] == b"PK" or file_name.lower().endswith(".xlsx"):
        return _read_xlsx(content)
    if file_name.lower().endswith((".csv", ".txt")):
        return _read_csv(content)
    raise FileRefused(_("Bitte laden Sie eine CSV- oder XLSX-Datei hoch."))
