import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from cohorts.models import Cohort, ReviewPhase
from portal.accounts.models import User
from portal.demo import demo_user
from portal.models import Municipality
from portal.pdf import blank_pdf

from .assignment import assign_reviewers
from .models import Application, Score

# (first name, last name, AGS or other employer, department, position)
DEMO_APPLICANTS = [
    ("Greta", "Wendt", "12069596", "Bauverwaltung", "Sachgebietsleiterin Stadtplanung"),
    ("Malte", "Fischer", "12060005", "Hauptamt", "Digitalisierungsbeauftragter"),
    ("Selin", "Kaya", "12073384", "Bürgermeisterbüro", "Referentin"),
    ("Ole", "Hansen", "12061260", "Wirtschaftsförderung", "Sachbearbeiter"),
    ("Paula", "Zieger", "12070149", "Stadtentwicklung", "Projektleiterin"),
    ("Henrik", "Brandt", None, "Kreisentwicklung", "Referent (Landkreis Barnim)"),
]


def seed(out) -> None:
    cohort = Cohort.objects.get(programme__slug="smart-city-manager", number=4)
    if cohort.applications.exists():
        out.write(f"  {cohort.title}: {cohort.applications.count()} Bewerbungen (vorhanden)")
        return
    reviewer = User.objects.get(email="pruefung@example.org")
    municipalities = {m.ags: m for m in Municipality.objects.exclude(ags="")}
    now = timezone.now()
    for index, (first, last, ags, department, position) in enumerate(DEMO_APPLICANTS, start=1):
        user = demo_user(f"bewerbung-4-{index:02d}@example.org", first, last)
        application = Application(
            cohort=cohort,
            applicant=user,
            status=Application.Status.SUBMITTED,
            sequence=index,
            reference=f"{cohort.programme.reference_prefix}-{cohort.number}-{index:04d}",
            municipality=municipalities.get(ags) if ags else None,
            other_employer="" if ags else "Landkreis Barnim",
            department=department,
            position=position,
            phone="0331 000000",
            role="Koordiniert Vorhaben der Digitalisierung in der Verwaltung.",
            motivation="Ich möchte die digitale Transformation unserer Kommune mit den Fachbereichen gestalten.",
            strategy=Application.Strategy.IN_PROGRESS,
            plans="Eine Digitalisierungsstrategie mit Bürgerbeteiligung.",
            supervisor_name="Dr. Beispiel",
            supervisor_email="vorgesetzt@example.org",
            endorsement_name="Unterstuetzungsschreiben.pdf",
            privacy_consent_version="demo",
            privacy_consent_at=now,
            submitted_at=now,
        )
        application.endorsement.save("letter.pdf", ContentFile(blank_pdf()), save=False)
        application.save()
        if index <= 3:
            Score.objects.create(
                application=application,
                reviewer=reviewer,
                motivation=5 - index % 3,
                relevance=4,
                commitment=3 + index % 2,
            )
    # The demo shows the reviewers at work: the cohort is in review (while it still takes
    # applications) and the submitted applications are assigned.
    Cohort.objects.filter(pk=cohort.pk).update(
        review_phase=ReviewPhase.REVIEW,
        review_phase_since=now,
        review_ends_on=cohort.applications_close_on + dt.timedelta(days=14),
        decision_ends_on=cohort.applications_close_on + dt.timedelta(days=21),
    )
    assign_reviewers(cohort=cohort, by=None)
    out.write(f"  {cohort.title}: {len(DEMO_APPLICANTS)} eingereichte Bewerbungen zum Prüfen")
