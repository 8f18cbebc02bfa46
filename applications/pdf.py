from django.template.loader import render_to_string
from django.utils import translation

from portal.pdf import render_pdf

from .models import Application


def render_application_pdf(application: Application) -> bytes:
    """The applicant's own copy of their submission."""
    language = application.applicant.language or "de"
    with translation.override(language):
        html = render_to_string("applications/application_pdf.html", {"application": application})
    return render_pdf(html)
