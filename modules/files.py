"""Which kind of document an upload is, judged by its content, never by its name."""

import zipfile

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from applications.uploads import validate_pdf

OOXML = {"word/document.xml": "docx", "ppt/presentation.xml": "pptx"}
ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
LABELS = {"pdf": "PDF", "docx": "DOCX", "pptx": "PPTX", "odt": "ODT", "odp": "ODP"}


def document_kind(upload) -> str | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        validate_pdf(upload)
        return "pdf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return ODF.get(archive.read("mimetype").decode("ascii", "replace").strip())
            if "[Content_Types].xml" in names:
                return next((kind for part, kind in OOXML.items() if part in names), None)
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        upload.seek(0)
    return None


def validate_document(upload, *, allowed: set[str], max_size: int) -> str:
    """Return the document's kind, or raise a ValidationError that names what is allowed."""
    allowed_text = ", ".join(LABELS[kind] for kind in sorted(allowed))
    if upload.size > max_size:
        raise ValidationError(
            _("Die Datei ist %(size)s groß; erlaubt sind höchstens %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_size)},
            code="too_large",
        )
    kind = document_kind(upload)
    if kind not in allowed:
        raise ValidationError(
            _("Diese Datei hat kein erlaubtes Format. Erlaubt sind: %(allowed)s.")
            % {"allowed": allowed_text},
            code="type",
        )
    return kind
