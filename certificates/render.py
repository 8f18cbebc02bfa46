"""The certificate as PDF/A, rendered with WeasyPrint from a Django template."""

import hashlib
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from modules.models import Module
from portal.pdf import render_pdf

from .models import Certificate


def verification_url(certificate: Certificate) -> str:
    query = urlencode({"nummer": certificate.number, "code": certificate.verification_code})
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{reverse('certificates:verify')}?{query}"


def qr_svg(url: str) -> str:
    """The QR code as inline SVG markup (the URL is the only input, built by the portal).

    The SVG holds the code as a 1-bit PNG, one pixel per module, drawn without smoothing: the
    same sharp squares as a vector path, but WeasyPrint places one image instead of parsing and
    drawing a path of several hundred segments, which cost about a tenth of a certificate's
    rendering time. The light modules stay transparent, on the footer's background.
    """
    code = segno.make(url, error="m")
    modules = code.symbol_size(scale=1, border=0)[0]
    png = code.png_data_uri(scale=1, border=0, dark="#0b1f3a", light=None)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{modules * 3}" height="{modules * 3}" '
        f'viewBox="0 0 {modules} {modules}"><image width="{modules}" height="{modules}" '
        f'image-rendering="pixelated" href="{png}"/></svg>'
    )


def certificate_html(certificate: Certificate, language: str | None = None) -> str:
    modules = Module.objects.filter(programme=certificate.cohort.programme_id).order_by("position")
    url = verification_url(certificate)
    with translation.override(language or certificate.language):
        return render_to_string(
            "certificates/certificate_pdf.html",
            {
                "certificate": certificate,
                "modules": modules,
                "verification_url": url,
                "qr_svg": qr_svg(url),
                "signatories": settings.CERTIFICATE_SIGNATORIES,
                "operator": settings.PORTAL_OPERATOR,
            },
        )


def render_certificate_pdf(certificate: Certificate, language: str | None = None) -> tuple[bytes, str]:
    """PDF bytes and their SHA-256."""
    pdf = render_pdf(certificate_html(certificate, language), variant="pdf/a-3b")
    return pdf, hashlib.sha256(pdf).hexdigest()
