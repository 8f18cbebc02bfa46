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
    """The QR code as inline SVG markup; segno escapes nothing user-controlled here (URL only)."""
    return segno.make(url, error="m").svg_inline(scale=3, border=0, dark="#0b1f3a", omitsize=False)


def certificate_html(certificate: Certificate) -> str:
    modules = Module.objects.filter(programme=certificate.cohort.programme_id).order_by("position")
    url = verification_url(certificate)
    with translation.override(certificate.language):
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


def render_certificate_pdf(certificate: Certificate) -> tuple[bytes, str]:
    """PDF bytes and their SHA-256."""
    pdf = render_pdf(certificate_html(certificate), variant="pdf/a-3b")
    return pdf, hashlib.sha256(pdf).hexdigest()
