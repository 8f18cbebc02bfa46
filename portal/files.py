"""Files people upload and files the portal hands out.

Uploads are judged by their content, never by their name: ``validate_pdf`` for letters and
certificates, ``validate_document`` for course materials and task submissions (PDF and office
documents), ``safe_display_name`` for the name shown and sent back.

Downloads are always attachments, never cached, never sniffed. Where files live in object storage
and ``PORTAL_S3_PRESIGNED_DOWNLOADS`` is on, the view that checked the permission answers with a
redirect to a URL signed for ``PORTAL_S3_URL_SECONDS`` that carries the same
``Content-Disposition``, type and cache headers; otherwise the web process streams the file
itself. Either way the bucket itself is never public.
"""

import io
import mimetypes
import re
import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

MAX_PDF_SIZE = 5 * 1024 * 1024
OOXML = {"word/document.xml": "docx", "ppt/presentation.xml": "pptx"}
ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
LABELS = {"pdf": "PDF", "docx": "DOCX", "pptx": "PPTX", "odt": "ODT", "odp": "ODP"}


# --- Uploads ---------------------------------------------------------------------------------


def _check_size(upload, max_size: int) -> None:
    if upload.size > max_size:
        raise ValidationError(
            _("Die Datei ist %(size)s groß; erlaubt sind höchstens %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_size)},
            code="too_large",
        )


def validate_pdf(upload) -> None:
    """Accept only a real, readable PDF of at most 5 MB."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    _check_size(upload, MAX_PDF_SIZE)
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    if not content.lstrip()[:5] == b"%PDF-":
        raise ValidationError(
            _("Die Datei ist kein PDF-Dokument. Bitte laden Sie das Schreiben als PDF hoch."), code="not_pdf"
        )
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("Das PDF ist verschlüsselt. Bitte laden Sie eine Fassung ohne Kennwort hoch."),
                code="encrypted",
            )
        if len(reader.pages) < 1:
            raise PdfReadError("no pages")
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors for broken files
        raise ValidationError(
            _("Das PDF ist beschädigt oder unvollständig und kann nicht gelesen werden."), code="broken_pdf"
        ) from exc


def safe_display_name(name: str, *, keep_extension: bool = False) -> str:
    """A file name fit for display and for Content-Disposition: no paths, no control characters.

    Without ``keep_extension`` the name ends in .pdf, the only type the caller accepts.
    """
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    if keep_extension:
        return name[-120:] or "datei"
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    return (stem[:100] or "schreiben") + ".pdf"


def document_kind(upload) -> str | None:
    """The kind of document (a key of ``LABELS``), or None for anything else."""
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
    _check_size(upload, max_size)
    kind = document_kind(upload)
    if kind not in allowed:
        raise ValidationError(
            _("Diese Datei hat kein erlaubtes Format. Erlaubt sind: %(allowed)s.")
            % {"allowed": allowed_text},
            code="type",
        )
    return kind


# --- Downloads -------------------------------------------------------------------------------


def presigned_url(field, filename: str, content_type: str | None = None) -> str | None:
    """A short-lived URL for the stored file, or None where the storage cannot sign one."""
    storage = field.storage
    if not getattr(storage, "bucket_name", None):
        return None
    return storage.url(
        field.name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type
            or mimetypes.guess_type(filename)[0]
            or "application/octet-stream",
            "ResponseCacheControl": "private, no-store",
        },
        expire=settings.PORTAL_S3_URL_SECONDS,
    )


def private_download(field, filename: str, content_type: str | None = None):
    """A response for a stored file that only permission-checked views hand out."""
    if settings.PORTAL_S3_PRESIGNED_DOWNLOADS:
        url = presigned_url(field, filename, content_type)
        if url is not None:
            response = HttpResponseRedirect(url)
            response["Cache-Control"] = "private, no-store"
            response["Referrer-Policy"] = "no-referrer"
            return response
    response = FileResponse(
        field.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
