"""A certificate issued before the portal, from an import row: its record keeps the original
number, the date and the name as printed; its verification code is generated now."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cohorts.models import Enrollment
from portal.pdf.fonts import unprintable_characters, unprintable_message

from ..models import Certificate
from .engine import CREATED, UNCHANGED, Row, RowError, merge
from .models import ImportedCertificate

NUMBER = re.compile(r"[A-Z0-9][A-Z0-9./-]{0,38}")


@dataclass(frozen=True)
class PrintedCertificate:
    number: str
    sequence: int
    issued_on: dt.date
    holder_name: str


def certificate_cells(row: Row, *, required: bool) -> PrintedCertificate | None:
    """The row's certificate, or None where it has none (or errors, recorded on the row)."""
    if not row.has("zertifikat_nummer"):
        return None
    number = "".join(row.text("zertifikat_nummer", required=required, max_length=40).split()).upper()
    issued_on = row.date("ausgestellt_am", required=bool(number))
    name = " ".join(row.text("name_auf_zertifikat", max_length=301).split())
    if not number:
        return None
    trailing = re.search(r"(\d+)$", number)
    if not NUMBER.fullmatch(number) or trailing is None:
        row.error(
            "zertifikat_nummer",
            _(
                "„%(number)s“: Die Nummer muss aus Buchstaben, Ziffern und "
                "Bindestrichen bestehen und auf die laufende Nummer enden."
            )
            % {"number": number},
        )
        return None
    if name and unprintable_characters(name):
        row.error("name_auf_zertifikat", unprintable_message(unprintable_characters(name)))
    if issued_on is None:
        return None
    return PrintedCertificate(number, int(trailing.group(1)), issued_on, name)


def _same(existing: Certificate, enrollment: Enrollment, printed: PrintedCertificate, name: str) -> None:
    if existing.enrollment_id != enrollment.pk:
        raise RowError(
            "zertifikat_nummer",
            _("Die Nummer %(number)s ist schon an eine andere Person vergeben.") % {"number": printed.number},
        )
    if existing.issued_on != printed.issued_on:
        raise RowError(
            "ausgestellt_am",
            _("Das Zertifikat %(number)s ist mit dem Datum %(date)s erfasst.")
            % {"number": printed.number, "date": existing.issued_on.strftime("%d.%m.%Y")},
        )
    if existing.holder_name != name:
        raise RowError(
            "name_auf_zertifikat",
            _("Das Zertifikat %(number)s ist auf „%(name)s“ erfasst.")
            % {"number": printed.number, "name": existing.holder_name},
        )


def write_certificate(context, row: Row, enrollment: Enrollment, printed: PrintedCertificate) -> None:
    user = enrollment.user
    name = printed.holder_name or user.get_full_name()
    existing = Certificate.objects.filter(number=printed.number).first()
    if existing is not None:
        _same(existing, enrollment, printed, name)
        context.letters.append(existing)
        merge(row, UNCHANGED, _("Zertifikat %(number)s vorhanden") % {"number": printed.number})
        return
    other = (
        Certificate.objects.filter(enrollment=enrollment).exclude(status=Certificate.Status.REVOKED).first()
    )
    if other is not None:
        raise RowError(
            "zertifikat_nummer",
            _("Diese Teilnahme hat schon das Zertifikat %(number)s.") % {"number": other.number},
        )
    cohort = enrollment.cohort
    taken = Certificate.objects.filter(cohort=cohort, sequence=printed.sequence).first()
    if taken is not None:
        raise RowError(
            "zertifikat_nummer",
            _("Die laufende Nummer %(sequence)s ist im Durchgang schon vergeben (%(number)s).")
            % {"sequence": printed.sequence, "number": taken.number},
        )
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        cohort=cohort,
        sequence=printed.sequence,
        number=printed.number,
        language="de",
        holder_name=name,
        municipality_name=enrollment.municipality.name if enrollment.municipality_id else "",
        programme_title=cohort.programme.title,
        cohort_title=cohort.title,
        cohort_title_en=cohort.title_en,
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        issued_on=printed.issued_on,
        status=Certificate.Status.ISSUED,
    )
    ImportedCertificate.objects.create(certificate=certificate, run=context.run)
    context.letters.append(certificate)
    merge(row, CREATED, _("Zertifikat %(number)s angelegt") % {"number": printed.number})
