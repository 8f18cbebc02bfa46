"""Personal data of the applications app, and the rules for keeping it.

- Drafts were never submitted: they go with the account, or once the cohort's retention ended.
- A submitted application documents the selection. It is kept until ``PORTAL_RETENTION_MONTHS``
  after the cohort ends (complaints, audits), then anonymised when it did not lead to a seat
  (rejected, withdrawn, still waitlisted or never decided). Accepted applications belong to the
  participation and are anonymised with the account.
- Anonymised means: no link to the person or their seat, every free text, contact field and
  employer blank, the endorsement letter deleted, reviewers' notes and deadline extensions
  deleted, score comments and reasons in the history blank. What stays is the number in the
  cohort's sequence, the status, the dates, the municipality's strategy answer and the scores'
  numbers: enough for statistics, nothing that points to a person.
"""

import datetime as dt
from itertools import islice

from django.db.models import Count, F, Prefetch
from django.utils.translation import gettext as _

from cohorts.models import Enrollment
from portal.accounts.models import User
from portal.privacy.registry import (
    Export,
    ExportFile,
    Obligation,
    archive_path,
    delete_files_on_commit,
    retention_cutoff,
    retention_ends,
    scrub_audit_log,
)

from .models import (
    Application,
    Conflict,
    DeadlineExtension,
    InformationRequest,
    ReviewAssignment,
    ReviewerProfile,
    ReviewNote,
    Score,
    StatusChange,
)

UNSUCCESSFUL = [
    Application.Status.REJECTED,
    Application.Status.WITHDRAWN,
    Application.Status.WAITLISTED,
    Application.Status.SUBMITTED,
    Application.Status.IN_REVIEW,
]
PENDING = [Application.Status.SUBMITTED, Application.Status.IN_REVIEW, Application.Status.WAITLISTED]

BLANK = {
    "applicant": None,
    "enrollment": None,
    "municipality": None,
    "other_employer": "",
    "department": "",
    "position": "",
    "phone": "",
    "role": "",
    "motivation": "",
    "plans": "",
    "funding_programme": "",
    "supervisor_name": "",
    "supervisor_email": "",
    "endorsement": "",
    "endorsement_name": "",
    "endorsement_size": None,
    "privacy_consent_version": "",
    "privacy_consent_at": None,
    "invalid_input": {},
}


# --- Art. 15 and 20 -------------------------------------------------------------------------


def export(user: User) -> Export:
    """The person's applications with everything the programme recorded about them.

    Reviewers' notes and scores are assessments of the person and so their personal data
    (Art. 15 DSGVO; CJEU C-434/16 "Nowak" on examiners' comments); they are included. Who wrote
    them is the reviewers' personal data and is left out: reviewers appear as numbers.
    """
    applications = (
        Application.objects.filter(applicant=user)
        .select_related("cohort", "municipality", "extension")
        .prefetch_related(
            Prefetch("status_changes", queryset=StatusChange.objects.order_by("created_at", "pk")),
            Prefetch("notes", queryset=ReviewNote.objects.order_by("created_at", "pk")),
            Prefetch("scores", queryset=Score.objects.order_by("pk")),
            Prefetch("requests", queryset=InformationRequest.objects.order_by("asked_at", "pk")),
        )
        .annotate(reviewers_assigned=Count("assignments", distinct=True))
        .order_by("cohort__start_date", "pk")
    )
    data, files = [], []
    for application in applications:
        data.append(_exported(application, user=user, files=files))
    return Export(name="bewerbungen", data={"applications": data, **_review_work(user)}, files=files)


def _review_work(user: User) -> dict:
    """What the person did as a reviewer: their declaration, assignments, conflicts and the
    requests they asked (by the applications' references, not the applicants' names). Only
    staff review, so nobody else's export asks."""
    if not user.is_staff:
        return {}
    profile = ReviewerProfile.objects.filter(user=user).select_related("municipality").first()
    assignments = ReviewAssignment.objects.filter(reviewer=user).select_related("application").order_by("pk")
    conflicts = Conflict.objects.filter(reviewer=user).select_related("application").order_by("pk")
    asked = InformationRequest.objects.filter(asked_by=user).select_related("application").order_by("pk")
    if not (profile or assignments or conflicts or asked):
        return {}
    return {
        "review": {
            "declared_municipality": str(profile.municipality) if profile and profile.municipality_id else "",
            "declared_district": profile.district if profile else "",
            "assignments": [
                {"application": a.application.reference, "assigned_at": a.assigned_at} for a in assignments
            ],
            "conflicts": [
                {"application": c.application.reference, "reason": c.reason, "declared_at": c.declared_at}
                for c in conflicts
            ],
            "requests_asked": [
                {"application": r.application.reference, "fields": r.fields, "asked_at": r.asked_at}
                for r in asked
            ],
        }
    }


def _exported(application: Application, *, user: User, files: list[ExportFile]) -> dict:
    """One application as the export holds it; its letter is added to ``files``."""
    extension = getattr(application, "extension", None)
    return {
        "reference": application.reference,
        "cohort": application.cohort.title,
        "status": application.status,
        "created_at": application.created_at,
        "updated_at": application.updated_at,
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
        "withdrawn_at": application.withdrawn_at,
        "municipality": str(application.municipality) if application.municipality_id else "",
        "other_employer": application.other_employer,
        "department": application.department,
        "position": application.position,
        "phone": application.phone,
        "role": application.role,
        "motivation": application.motivation,
        "strategy": application.strategy,
        "plans": application.plans,
        "funding_programme": application.funding_programme,
        "supervisor_name": application.supervisor_name,
        "supervisor_email": application.supervisor_email,
        "invalid_input": application.invalid_input,
        "endorsement": _exported_endorsement(application, files=files),
        "privacy_consent": {
            "version": application.privacy_consent_version,
            "at": application.privacy_consent_at,
        },
        "deadline_extension": (
            {"until": extension.until, "reason": extension.reason, "granted_at": extension.granted_at}
            if extension
            else None
        ),
        "history": _exported_history(application, user=user),
        "review_notes": [{"at": note.created_at, "text": note.text} for note in application.notes.all()],
        "scores": _exported_scores(application),
        # How many reviewers were assigned; who they are is their personal data.
        "reviewers_assigned": application.reviewers_assigned,
        "requests": _exported_requests(application),
    }


def _exported_history(application: Application, *, user: User) -> list[dict]:
    return [
        {
            "at": change.created_at,
            "from": change.from_status,
            "to": change.to_status,
            "reason": change.reason,
            "by": _actor(change.changed_by_id, user),
        }
        for change in application.status_changes.all()
    ]


def _exported_requests(application: Application) -> list[dict]:
    """The reviewers' requests to complete named fields; who asked is the reviewers' own data."""
    return [
        {
            "asked_at": request.asked_at,
            "fields": request.fields,
            "message": request.message,
            "due_on": request.due_on,
            "answered_at": request.answered_at,
            "changes": request.changes,
        }
        for request in application.requests.all()
    ]


def _exported_endorsement(application: Application, *, files: list[ExportFile]) -> dict | None:
    if not application.endorsement:
        return None
    folder = application.reference or f"entwurf-{application.pk}"
    path = archive_path("bewerbungen", folder, application.endorsement_name or "schreiben.pdf")
    files.append(ExportFile(path=path, name=application.endorsement.name))
    return {"file": path, "name": application.endorsement_name, "size": application.endorsement_size}


def _exported_scores(application: Application) -> list[dict]:
    """The scores with their reviewers as numbers, not names."""
    return [
        {
            "reviewer": number,
            "motivation": score.motivation,
            "relevance": score.relevance,
            "commitment": score.commitment,
            "total": score.total,
            "comment": score.comment,
            "at": score.updated_at,
        }
        for number, score in enumerate(application.scores.all(), start=1)
    ]


def _actor(user_id: int | None, person: User) -> str:
    if user_id is None:
        return "portal"
    return "you" if user_id == person.pk else "programme_team"


# --- Art. 17 --------------------------------------------------------------------------------


def obligations(user: User, *, at: dt.datetime) -> list[Obligation]:
    submitted = (
        Application.objects.filter(applicant=user)
        .exclude(status=Application.Status.DRAFT)
        .select_related("cohort")
    )
    return [
        Obligation(
            reason=_("Ihre Bewerbung %(reference)s für den %(cohort)s")
            % {"reference": a.reference, "cohort": a.cohort.localized_title},
            until=retention_ends(a.cohort.end_date),
        )
        for a in submitted
    ]


def restrict(user: User, *, at: dt.datetime) -> None:
    """Drafts go now. Whoever leaves gives up what is still open: a pending application is
    withdrawn and an offered seat declined (it goes to the waitlist). The rest is kept."""
    from .decisions import respond_to_offer

    delete_drafts(Application.objects.filter(applicant=user, status=Application.Status.DRAFT))
    offered = Application.objects.filter(
        applicant=user, status=Application.Status.ACCEPTED, enrollment__state=Enrollment.State.OFFERED
    )
    for application_id in offered.values_list("pk", flat=True):
        respond_to_offer(application_id=application_id, applicant=user, accept=False, at=at)
    reason = _("Konto auf Wunsch der Person gelöscht")
    for application in Application.objects.select_for_update().filter(applicant=user, status__in=PENDING):
        StatusChange.objects.create(
            application=application,
            changed_by=user,
            from_status=application.status,
            to_status=Application.Status.WITHDRAWN,
            reason=reason,
        )
        application.status = Application.Status.WITHDRAWN
        application.withdrawn_at = at
        application.save(update_fields=["status", "withdrawn_at", "updated_at"])


def erase(user: User, *, at: dt.datetime) -> None:
    delete_drafts(Application.objects.filter(applicant=user, status=Application.Status.DRAFT))
    anonymise(Application.objects.filter(applicant=user), at=at)


# --- Retention ------------------------------------------------------------------------------


def retention(*, at: dt.datetime) -> dict[str, int]:
    past = Application.objects.filter(cohort__end_date__lt=retention_cutoff(at))
    return {
        "drafts_deleted": delete_drafts(past.filter(status=Application.Status.DRAFT)),
        "applications_anonymised": anonymise(past.filter(status__in=UNSUCCESSFUL), at=at),
    }


# --- The two operations ---------------------------------------------------------------------


def _batches(ids: list[int], size: int = 500):
    iterator = iter(ids)
    while batch := list(islice(iterator, size)):
        yield batch


def delete_drafts(drafts) -> int:
    ids = list(drafts.filter(status=Application.Status.DRAFT).values_list("pk", flat=True))
    for batch in _batches(ids):
        delete_files_on_commit(
            Application.objects.filter(pk__in=batch)
            .exclude(endorsement="")
            .values_list("endorsement", flat=True)
        )
        _scrub_audit_log(batch)
        Application.objects.filter(pk__in=batch).delete()
    return len(ids)


def anonymise(applications, *, at: dt.datetime) -> int:
    ids = list(
        applications.exclude(status=Application.Status.DRAFT)
        .filter(anonymised_at__isnull=True)
        .values_list("pk", flat=True)
    )
    for batch in _batches(ids):
        delete_files_on_commit(
            Application.objects.filter(pk__in=batch)
            .exclude(endorsement="")
            .values_list("endorsement", flat=True)
        )
        _scrub_audit_log(batch)
        changes = StatusChange.objects.filter(application_id__in=batch)
        changes.filter(changed_by_id=F("application__applicant_id")).update(changed_by=None)
        changes.update(reason="")
        ReviewNote.objects.filter(application_id__in=batch).delete()
        DeadlineExtension.objects.filter(application_id__in=batch).delete()
        InformationRequest.objects.filter(application_id__in=batch).delete()
        Conflict.objects.filter(application_id__in=batch).update(reason="")
        Score.objects.filter(application_id__in=batch).update(comment="")
        Application.objects.filter(pk__in=batch).update(**BLANK, anonymised_at=at)
    return len(ids)


def _scrub_audit_log(application_ids: list[int]) -> None:
    scrub_audit_log(Application, application_ids)
    for model in (ReviewNote, Score, DeadlineExtension, InformationRequest, Conflict, ReviewAssignment):
        scrub_audit_log(
            model, model.objects.filter(application_id__in=application_ids).values_list("pk", flat=True)
        )
