"""Validation of uploaded PDF files: by content, never by name."""

import io
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_PDF_SIZE = 5 * 1024 * 1024


def validate_pdf(upload) -> None:
    """Accept only a real, readable PDF of at most 5 MB."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if upload.size > MAX_PDF_SIZE:
        raise ValidationError(
            _("Die Datei ist %(size)s groß; erlaubt sind höchstens %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_PDF_SIZE)},
            code="too_large",
        )
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
