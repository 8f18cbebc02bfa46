"""The import files' columns: one template per kind, recognised by its header line.

A participants file may carry the attendance, completion and certificate columns as well, so
that one file per cohort suffices; the separate files add them to participations imported before.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MODULE_COLUMNS = [f"modul_{n}" for n in range(1, 6)]
CERTIFICATE_COLUMNS = ["zertifikat_nummer", "ausgestellt_am", "name_auf_zertifikat"]


@dataclass(frozen=True)
class Kind:
    slug: str
    label: object
    required: tuple[str, ...]
    optional: tuple[str, ...]
    example: tuple[str, ...]  # one example row of the template

    @property
    def columns(self) -> list[str]:
        return [*self.required, *self.optional]


COHORTS = Kind(
    "durchgaenge",
    _("Durchgänge"),
    ("nummer", "titel", "beginn", "ende"),
    ("titel_en", "plaetze"),
    ("1", "1. Schulungsdurchgang (4. Quartal 2021)", "11.10.2021", "17.12.2021", "Cohort 1 (Q4 2021)", "15"),
)
PARTICIPANTS = Kind(
    "teilnahmen",
    _("Teilnehmer:innen"),
    ("durchgang", "e_mail", "vorname", "nachname"),
    (
        "ags",
        "kommune",
        "landkreis",
        "organisationseinheit",
        *MODULE_COLUMNS,
        "abgeschlossen_am",
        *CERTIFICATE_COLUMNS,
    ),
    ("1", "erika.muster@example.org", "Erika", "Muster", "", "Golzow", "Märkisch-Oderland", "Bauamt")
    + ("anwesend",) * 5
    + ("17.12.2021", "SCM-2021-1-0001", "17.12.2021", "Erika Muster"),
)
ATTENDANCE = Kind(
    "anwesenheit",
    _("Anwesenheit je Modul"),
    ("durchgang", "e_mail", "modul", "anwesenheit"),
    (),
    ("1", "erika.muster@example.org", "3", "entschuldigt"),
)
COMPLETION = Kind(
    "abschluss",
    _("Abschluss"),
    ("durchgang", "e_mail", "abgeschlossen_am"),
    (),
    ("1", "erika.muster@example.org", "17.12.2021"),
)
CERTIFICATES = Kind(
    "zertifikate",
    _("Zertifikate"),
    ("durchgang", "e_mail", *CERTIFICATE_COLUMNS),
    (),
    ("1", "erika.muster@example.org", "SCM-2021-1-0001", "17.12.2021", "Erika Muster"),
)
KINDS = [COHORTS, PARTICIPANTS, ATTENDANCE, COMPLETION, CERTIFICATES]
BY_SLUG = {kind.slug: kind for kind in KINDS}

# How attendance may be written (German or English), and what it becomes.
ATTENDANCE_VALUES = {
    "anwesend": "present",
    "ja": "present",
    "x": "present",
    "present": "present",
    "entschuldigt": "excused",
    "excused": "excused",
    "abwesend": "absent",
    "nein": "absent",
    "absent": "absent",
}


def detect(header: list[str]) -> Kind | None:
    """The kind whose required columns the header has (a participants file first: it may carry
    the other kinds' columns too)."""
    present = set(header)
    priority = [COHORTS, PARTICIPANTS, ATTENDANCE, CERTIFICATES, COMPLETION]
    return next((kind for kind in priority if set(kind.required) <= present), None)


def template_csv(kind: Kind) -> bytes:
    """The kind's template: header and one example row, UTF-8 with byte-order mark, ``;``."""
    from portal.web.spreadsheets import to_csv

    return to_csv(kind.columns, [kind.example])


def template_xlsx(kind: Kind) -> bytes:
    from portal.web.spreadsheets import to_xlsx

    return to_xlsx([(str(kind.label), kind.columns, [kind.example])])
