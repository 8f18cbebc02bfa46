import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand

from certificates.models import Certificate
from certificates.render import render_certificate_pdf
from cohorts.models import Cohort


class Command(BaseCommand):
    help = "Rendert ein Beispielzertifikat mit erfundenen Angaben als PDF (nichts wird gespeichert)."

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path)
        parser.add_argument("--language", default="de", choices=["de", "en"])
        parser.add_argument("--holder", default="Jördis Groß-Łęcka")
        parser.add_argument("--municipality", default="Cottbus/Chóśebuz")

    def handle(self, *args, output: Path, language: str, holder: str, municipality: str, **options):
        cohort = Cohort.objects.select_related("programme").order_by("number").filter(number=3).first()
        if cohort is None:
            self.stderr.write("Bitte zuerst `manage.py seed_demo` ausführen.")
            return
        certificate = Certificate(
            cohort=cohort,
            sequence=12,
            number="SCM-2022-3-0012",
            verification_code="K7M2QX9R",
            language=language,
            holder_name=holder,
            municipality_name=municipality,
            programme_title=cohort.programme.title,
            cohort_title=cohort.title,
            cohort_title_en=cohort.title_en,
            cohort_start=cohort.start_date,
            cohort_end=cohort.end_date,
            issued_on=dt.date(2022, 12, 16),
        )
        pdf, digest = render_certificate_pdf(certificate)
        output.write_bytes(pdf)
        self.stdout.write(f"{output} ({len(pdf)} Bytes, SHA-256 {digest})")
