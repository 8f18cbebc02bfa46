"""Demo data of the certificates app: the first cohorts as if imported from before the portal.

The cohorts 1 to 3 and their people come from the cohorts' demo; here they go through the
import (cohorts, then cohort 1 with attendance and completion), so that the demo holds imported
records like a real database would. A second run imports nothing again. Cohort 1's
certificates stay with the community's demo, which certifies its members. The file ``history/demo/durchgang-2-zwei-fehler.csv`` is for trying the import
in the admin: a dry run shows two errors.
"""

from pathlib import Path

from django.utils import timezone

from cohorts.models import Cohort, Programme
from portal.accounts.models import User
from portal.web.spreadsheets import to_csv

from .history import columns
from .history.importer import run
from .history.models import ImportedEnrollment

WALK_FILE = Path(__file__).parent / "history" / "demo" / "durchgang-2-zwei-fehler.csv"


def _cohort_rows(cohorts) -> bytes:
    rows = [
        [c.number, c.title, f"{c.start_date:%d.%m.%Y}", f"{c.end_date:%d.%m.%Y}", c.title_en, c.seats]
        for c in cohorts
    ]
    return to_csv(columns.COHORTS.columns, rows)


def _participant_rows(cohort: Cohort) -> bytes:
    """The cohort's people as its paper records list them: everyone attended and completed."""
    enrollments = cohort.enrollments.select_related("user", "municipality").order_by("pk")
    end = f"{cohort.end_date:%d.%m.%Y}"
    rows = []
    for enrollment in enrollments:
        user = enrollment.user
        ags = enrollment.municipality.ags if enrollment.municipality_id else ""
        rows.append(
            [cohort.number, user.email, user.first_name, user.last_name, ags, "", "", ""]
            + ["anwesend"] * 5
            + [end]
        )
    header = columns.PARTICIPANTS.columns[: -len(columns.CERTIFICATE_COLUMNS)]
    return to_csv(header, rows)


def seed(out) -> None:
    programme = Programme.objects.filter(slug="smart-city-manager").first()
    admin = User.objects.filter(email="admin@example.org").first()
    cohorts = list(Cohort.objects.filter(programme=programme, number__in=[1, 2, 3]).order_by("number"))
    if programme is None or admin is None or len(cohorts) < 3:
        return
    if not ImportedEnrollment.objects.filter(enrollment__cohort=cohorts[0]).exists():
        for content, name in [
            (_cohort_rows(cohorts), "durchgaenge-1-bis-3.csv"),
            (_participant_rows(cohorts[0]), "durchgang-1.csv"),
        ]:
            report = run(content, name, programme=programme, by=admin, at=timezone.now(), dry_run=False)
            if not report.ok:
                out.write(f"  Import {name} fehlgeschlagen: {report.file_errors or report.errors[:3]}")
                return
    imported = cohorts[0].certificates.filter(imported__isnull=False).count()
    out.write(
        f"  Importiert: Durchgänge 1–3, im 1. Durchgang {imported} Zertifikate aus der Zeit vor dem Portal"
    )
    out.write(f"  Zum Ausprobieren des Imports (Probelauf mit zwei Fehlern): {WALK_FILE.name}")
