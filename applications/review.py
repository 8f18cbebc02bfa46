"""The reviewers' own writes about a submitted application: an internal note, their score, and a
deadline extension granted in the reviewers' tool. Each is one transaction and checks that the
person may write it; the admin calls these and writes nothing itself."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cohorts.models import ReviewPhase
from portal.accounts.models import User

from .models import Application, Conflict, DeadlineExtension, ReviewNote, Score


def _require(user: User, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def _lock(application: Application) -> None:
    """One writer per application at a time, so that "one score per reviewer" and "one extension
    per application" hold for two tabs saving at once (only the application is locked, never its
    cohort, so this cannot deadlock with a decision)."""
    Application.objects.select_for_update().filter(pk=application.pk).order_by().values_list("pk").get()


def check_review_open(application: Application, *, at: dt.datetime) -> None:
    """Scores and notes are written only while the cohort is in "Prüfung" and its end date has
    not passed; the refusal says which."""
    cohort = application.cohort
    if cohort.accepts_reviews(at):
        return
    if cohort.review_phase == ReviewPhase.OPEN:
        message = _(
            "Die Prüfung hat noch nicht begonnen; Bewertungen sind erst in der Phase „Prüfung“ möglich."
        )
    elif (
        cohort.review_closes_at is not None
        and at >= cohort.review_closes_at
        and cohort.review_phase == ReviewPhase.REVIEW
    ):
        message = _(
            "Die Prüfung endete am %(date)s. Es wurde nichts gespeichert; Ihre Eingaben stehen noch im Formular."
        ) % {"date": date_format(cohort.review_ends_on, "SHORT_DATE_FORMAT")}
    else:
        message = _(
            "Die Prüfung ist beendet (Phase „%(phase)s“). Es wurde nichts gespeichert; Ihre Eingaben stehen noch im Formular."
        ) % {"phase": cohort.get_review_phase_display()}
    raise ValidationError(message, code="phase")


def _check_no_conflict(application: Application, by: User) -> None:
    if Conflict.objects.filter(application=application, reviewer=by).exists():
        raise ValidationError(
            _("Sie haben einen Interessenkonflikt mit dieser Bewerbung erklärt und bewerten sie nicht."),
            code="conflict",
        )


def add_note(*, application: Application, by: User, text: str, at: dt.datetime | None = None) -> ReviewNote:
    """A new internal note. Notes are kept as written; a correction is a new note."""
    _require(by, "applications.add_reviewnote")
    check_review_open(application, at=at or timezone.now())
    note = ReviewNote(application=application, author=by, text=text)
    note.clean_fields(exclude=["application", "author"])
    with transaction.atomic():
        note.save()
    return note


def record_score(
    *,
    application: Application,
    by: User,
    motivation: int,
    relevance: int,
    commitment: int,
    comment: str = "",
    score_id: int | None = None,
    at: dt.datetime | None = None,
) -> Score:
    """The reviewer's own score of the application, given or changed: each reviewer has one, and
    nobody changes anyone else's (``score_id``, the score a form edited, must be the reviewer's own).
    Only in the phase "Prüfung" and never by a reviewer who declared a conflict."""
    with transaction.atomic():
        _lock(application)
        check_review_open(application, at=at or timezone.now())
        _check_no_conflict(application, by)
        score = Score.objects.filter(application=application, reviewer=by).first()
        if score_id is not None and (score is None or score.pk != score_id):
            raise PermissionDenied
        _require(by, "applications.change_score" if score else "applications.add_score")
        score = score or Score(application=application, reviewer=by)
        score.motivation, score.relevance, score.commitment = motivation, relevance, commitment
        score.comment = comment
        score.clean_fields(exclude=["application", "reviewer"])
        score.save()
    return score


def record_extension(
    *, application: Application, by: User, until: dt.datetime, reason: str
) -> DeadlineExtension:
    """The application's deadline extension as the reviewers' tool sets it: a new one is granted
    by ``by``; a changed one keeps the colleague who first granted it."""
    with transaction.atomic():
        _lock(application)
        extension = DeadlineExtension.objects.filter(application=application).first()
        _require(
            by, "applications.change_deadlineextension" if extension else "applications.add_deadlineextension"
        )
        extension = extension or DeadlineExtension(application=application, granted_by=by)
        extension.until, extension.reason = until, reason
        extension.clean_fields(exclude=["application", "granted_by"])
        extension.save()
    return extension
