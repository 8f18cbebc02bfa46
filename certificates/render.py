"""The certificate as PDF/A, rendered with WeasyPrint from a Django template.

A certificate has layers (templates/certificates/certificate_pdf.html): what every certificate of
a cohort shares (programme, cohort, modules, date, signatures) and what belongs to its holder
(name, municipality, number, code, QR code). A worker renders the shared pages once, the base
beneath and the body above, and draws each holder's few lines between them, so a certificate
costs a fraction of laying out the whole page and its text still reads heading, holder,
statement. Layer "all" is the whole certificate as one document: the same picture, for
comparison and for a browser preview.
"""

import hashlib
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from modules.models import Module
from portal.pdf import Background, ImageMask, LayoutError, element_box, render_layered_pdf

from .models import Certificate

TEMPLATE = "certificates/certificate_pdf.html"
QR_COLOR = (0x0B, 0x1F, 0x3A)
# A QR code has eight mask patterns, and every reader decodes each of them; segno would score all
# eight to pick the most even-looking one, which costs more than laying out a certificate's
# foreground. The portal uses one fixed pattern (tests read the printed code back).
QR_MASK = 2


def verification_page() -> str:
    """The address of the page that verifies certificates, as the certificate prints it."""
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{reverse('certificates:verify')}"


def verification_url(certificate: Certificate) -> str:
    """The address the QR code holds: the verification page with number and code filled in."""
    query = urlencode({"nummer": certificate.number, "code": certificate.verification_code})
    return f"{verification_page()}?{query}"


def qr_code(url: str):
    return segno.make(url, error="m", mask=QR_MASK)


def qr_svg(url: str) -> str:
    """The QR code as inline SVG markup (the URL is the only input, built by the portal), for the
    whole-page document: the code as a 1-bit PNG, one pixel per module, drawn without smoothing,
    the light modules transparent on the footer's background."""
    code = qr_code(url)
    modules = code.symbol_size(scale=1, border=0)[0]
    png = code.png_data_uri(scale=1, border=0, dark="#0b1f3a", light=None)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{modules * 3}" height="{modules * 3}" '
        f'viewBox="0 0 {modules} {modules}"><image width="{modules}" height="{modules}" '
        f'image-rendering="pixelated" href="{png}"/></svg>'
    )


def qr_mask(url: str) -> ImageMask:
    """The same QR code as a picture drawn straight into the PDF (the foreground's empty #qr box)."""
    return ImageMask(rows=tuple(tuple(bool(m) for m in row) for row in qr_code(url).matrix), color=QR_COLOR)


def _size(text: str, limits: tuple[tuple[int, str], ...]) -> str:
    """The type size class for a text of this length (certificate.css keeps each inside its zone)."""
    return next((size for limit, size in limits if len(text) <= limit), limits[-1][1])


HOLDER_SIZES = ((30, "l"), (60, "m"), (120, "s"), (300, "xs"))
MUNICIPALITY_SIZES = ((70, "l"), (300, "s"))


def _modules(certificate: Certificate) -> tuple[dict, ...]:
    """The programme's modules in the active language, as the certificate lists them."""
    return tuple(
        {
            "position": module.position,
            "title": module.localized_title,
            "description": module.localized_description,
        }
        for module in Module.objects.filter(programme=certificate.cohort.programme_id).order_by("position")
    )


def _context(certificate: Certificate, *, layer: str, modules=()) -> dict:
    return {
        "layer": layer,
        "certificate": certificate,
        "modules": modules,
        "verification_page": verification_page(),
        "qr_svg": qr_svg(verification_url(certificate)) if layer == "all" else "",
        "holder_size": _size(certificate.holder_name, HOLDER_SIZES),
        "municipality_size": _size(certificate.municipality_name, MUNICIPALITY_SIZES),
        "signatories": settings.CERTIFICATE_SIGNATORIES,
        "operator": settings.PORTAL_OPERATOR,
    }


def certificate_html(certificate: Certificate, language: str | None = None, *, layer: str = "all") -> str:
    """The certificate's HTML: layer "all" (the whole page), "base", "body" or "foreground"."""
    with translation.override(language or certificate.language):
        modules = _modules(certificate) if layer in ("all", "body") else ()
        return render_to_string(TEMPLATE, _context(certificate, layer=layer, modules=modules))


def _base_key(language: str) -> tuple:
    """Everything the base shows (bands, heading, the footer's colour)."""
    return (TEMPLATE, "base", language, tuple(settings.PORTAL_OPERATOR.items()))


def _body_key(certificate: Certificate, language: str, modules: tuple[dict, ...]) -> tuple:
    """Everything the body shows, so that a body is shared only where it is the same."""
    return (
        TEMPLATE,
        "body",
        language,
        certificate.localized_cohort_title,
        certificate.cohort_start,
        certificate.cohort_end,
        certificate.issued_on,
        verification_page(),
        tuple(tuple(module.items()) for module in modules),
        tuple(tuple(signatory.items()) for signatory in settings.CERTIFICATE_SIGNATORIES),
    )


def _check_body(document) -> None:
    """The body's text (module descriptions are edited in the admin) must end above the footer:
    an absolutely placed page does not break onto a second one, it would be cut off."""
    closing, footer = element_box(document, "closing"), element_box(document, "footer")
    # WeasyPrint leaves out what lies past the page's end altogether.
    if closing is None or closing.position_y + closing.margin_height() > footer.position_y:
        raise LayoutError(
            gettext(
                "Der Text des Zertifikats passt nicht auf eine Seite. Bitte kürzen Sie die "
                "Beschreibungen der Module."
            )
        )


def render_certificate_pdf(certificate: Certificate, language: str | None = None) -> tuple[bytes, str]:
    """PDF/A-3b bytes and their SHA-256."""
    language = language or certificate.language
    with translation.override(language):
        modules = _modules(certificate)

        def layer(name, modules=()):
            return lambda: render_to_string(TEMPLATE, _context(certificate, layer=name, modules=modules))

        pdf = render_layered_pdf(
            render_to_string(TEMPLATE, _context(certificate, layer="foreground")),
            backgrounds=[
                Background(key=_base_key(language), html=layer("base")),
                Background(
                    key=_body_key(certificate, language, modules),
                    html=layer("body", modules),
                    above=True,  # the statement follows the holder's name in reading order
                    check=_check_body,
                ),
            ],
            masks={"qr": qr_mask(verification_url(certificate))},
            variant="pdf/a-3b",
        )
    return pdf, hashlib.sha256(pdf).hexdigest()
