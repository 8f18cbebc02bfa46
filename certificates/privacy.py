"""Personal data of the certificates app.

A certificate's record (number, holder's name as issued, municipality, cohort, date, status,
the PDFs' SHA-256, the credential's id) stays for good: employers and others must be able to
check a certificate years later, and the record is a snapshot that needs no account. With the
account the stored PDFs go, and the stored credential (it holds a salted hash of the e-mail
address); a PDF or signed credential the holder kept can still be checked by its seal, checksum
or signature.
"""

import datetime as dt

from django.db.models import FileField
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.privacy.registry import Export, ExportFile, archive_path, delete_files_on_commit, scrub_audit_log

from .history import privacy as history_privacy
from .models import Certificate

# Every stored rendering of a certificate (the PDF, and any other language's version).
PDF_FIELDS = [f.name for f in Certificate._meta.concrete_fields if isinstance(f, FileField)]


def _certificates(user: User):
    return Certificate.objects.filter(enrollment__user=user).order_by("issued_on", "pk")


def export(user: User) -> Export:
    data, files = [], []
    for certificate in _certificates(user):
        paths = []
        for name in PDF_FIELDS:
            stored = getattr(certificate, name)
            if stored:
                suffix = "" if name == "pdf" else f"-{name}"
                paths.append(archive_path("zertifikate", f"Zertifikat-{certificate.number}{suffix}.pdf"))
                files.append(ExportFile(path=paths[-1], name=stored.name))
        data.append(
            {
                "number": certificate.number,
                "verification_code": certificate.verification_code,
                "status": certificate.status,
                "holder_name": certificate.holder_name,
                "municipality": certificate.municipality_name,
                "programme": certificate.programme_title,
                "cohort": certificate.cohort_title,
                "cohort_start": certificate.cohort_start,
                "cohort_end": certificate.cohort_end,
                "issued_on": certificate.issued_on,
                "language": certificate.language,
                "files": paths,
                "sha256": certificate.sha256,
                "revoked_at": certificate.revoked_at,
                "revocation_reason": certificate.revocation_reason,
                "credential_id": certificate.credential_id,
                "credential_jwt": certificate.credential_jwt,
            }
        )
    return Export(
        name="zertifikate", data={"certificates": data, **history_privacy.export(user)}, files=files
    )


def kept_after_erasure(user: User) -> list[str]:
    return [
        _(
            "Zertifikat %(number)s vom %(date)s: Nummer, Name, Kommune, Durchgang und Datum bleiben "
            "dauerhaft gespeichert, damit Dritte die Echtheit prüfen können."
        )
        % {"number": c.number, "date": date_format(c.issued_on, "SHORT_DATE_FORMAT")}
        for c in _certificates(user)
    ]


def erase(user: User, *, at: dt.datetime) -> None:
    """The record stays; the stored PDF goes, and the audit log keeps who issued or revoked it
    when, not the values."""
    certificates = _certificates(user)
    scrub_audit_log(Certificate, certificates.values_list("pk", flat=True))
    for name in PDF_FIELDS:
        with_pdf = certificates.exclude(**{name: ""})
        delete_files_on_commit(with_pdf.values_list(name, flat=True))
        with_pdf.update(**{name: ""})
    certificates.exclude(credential_jwt="").update(credential_jwt="")
    history_privacy.erase(user)


def retention(*, at: dt.datetime) -> dict[str, int]:
    return {"import_files_deleted": history_privacy.retention(at=at)}
