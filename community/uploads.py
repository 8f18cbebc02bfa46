"""Files of projects: PDF (checked by ``portal.files``) or image (PNG, JPEG), judged by content.

An image is decoded and encoded again, so what is stored is pixels only: a polyglot (an image
that is also HTML, a script or an archive) loses its second life, and camera metadata (location,
device) is dropped with it.
"""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.files import safe_display_name, validate_pdf

MAX_SIZE = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000


def _refuse():
    return ValidationError(
        _("Diese Datei hat kein erlaubtes Format. Erlaubt sind: PDF, PNG, JPEG."), code="type"
    )


def _image(upload) -> tuple[str, ContentFile]:
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("PNG", "JPEG"):
                raise _refuse()
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("Das Bild ist zu groß (höchstens 40 Megapixel)."), code="pixels")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            out = io.BytesIO()
            if image.format == "PNG":
                image.save(out, format="PNG", optimize=True)
                kind = "png"
            else:
                image.convert("RGB").save(out, format="JPEG", quality=90)
                kind = "jpg"
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise _refuse() from exc
    return kind, ContentFile(out.getvalue())


def checked_file(upload) -> tuple[str, str, ContentFile | object]:
    """(kind, display name, content to store) of an accepted upload, or a ValidationError."""
    if upload.size > MAX_SIZE:
        raise ValidationError(
            _("Die Datei ist %(size)s groß; erlaubt sind höchstens %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_SIZE)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        validate_pdf(upload)
        kind, content = "pdf", upload
    elif head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff"):
        kind, content = _image(upload)
    else:
        raise _refuse()
    stem = safe_display_name(upload.name, keep_extension=True).rsplit(".", 1)[0][:100] or "datei"
    return kind, f"{stem}.{kind}", content
