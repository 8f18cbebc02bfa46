"""Writes of the projects from the municipalities: each one transaction, each checks who acts.

Only the author changes a project, proposes it for the public page or withdraws it (at any time,
also once public); only a moderator approves or declines a proposal. Approving and declining are
moderation steps: audited, and the author is told by mail.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Enrollment
from modules.models import TaskSubmission
from portal.accounts.models import User
from portal.privacy.registry import delete_files_on_commit

from .models import PROJECT_FILES_MAX, ModerationEvent, Project, ProjectFile
from .services import tell
from .testimonials import drop_landing_cache

FIELDS = ("municipality", "title", "summary", "status", "tags", "started_on", "ended_on", "lessons", "links")


def _own(project: Project, user: User) -> Project:
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.author_id != user.pk:
        raise PermissionDenied
    return locked


def _store_files(project: Project, files: list[tuple[str, str, object]]) -> None:
    if ProjectFile.objects.filter(project=project).count() + len(files) > PROJECT_FILES_MAX:
        raise ValidationError(
            _("Ein Projekt hat höchstens %(count)d Dateien.") % {"count": PROJECT_FILES_MAX}, code="files"
        )
    for kind, name, content in files:
        stored = ProjectFile(project=project, file_name=name, kind=kind, size=content.size)
        stored.file.save(f"upload.{kind}", content, save=False)
        stored.save()


def save_project(
    *, author: User, project: Project | None = None, modules, files=(), remove_files=(), **fields
) -> Project:
    """Create a project, or change one's own; ``files`` are checked uploads (community.uploads)."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    with transaction.atomic():
        if project is None:
            project = Project(author=author)
        else:
            project = _own(project, author)
        for name, value in fields.items():
            setattr(project, name, value)
        project.draft = False
        project.save()
        project.modules.set(modules)
        gone = ProjectFile.objects.filter(project=project, pk__in=list(remove_files))
        delete_files_on_commit(gone.values_list("file", flat=True))
        gone.delete()
        _store_files(project, list(files))
    return project


def project_from_task(*, author: User, submission: TaskSubmission) -> Project:
    """One click: an accepted practical task of the author becomes a project draft, once."""
    with transaction.atomic():
        submission = (
            TaskSubmission.objects.select_for_update(of=("self",))
            .select_related("enrollment__municipality", "module")
            .get(pk=submission.pk)
        )
        if (
            submission.enrollment.user_id != author.pk
            or submission.state != TaskSubmission.State.ACCEPTED
            or submission.kind != TaskSubmission.Kind.TASK
            or submission.enrollment.state != Enrollment.State.CONFIRMED
        ):
            raise PermissionDenied
        existing = Project.objects.filter(source_task=submission).first()
        if existing is not None:
            return existing
        if submission.enrollment.municipality_id is None:
            raise ValidationError(_("Zu Ihrer Teilnahme ist keine Kommune hinterlegt."))
        project = Project.objects.create(
            author=author,
            municipality=submission.enrollment.municipality,
            title=submission.module.title,
            summary=_("Aus der Praxisaufgabe zum Modul „%(module)s“.") % {"module": submission.module.title},
            draft=True,
            source_task=submission,
        )
        project.modules.set([submission.module])
    return project


def propose(*, author: User, project: Project) -> Project:
    with transaction.atomic():
        project = _own(project, author)
        if project.draft:
            raise ValidationError(_("Bitte speichern Sie den Entwurf zuerst als Projekt."))
        if project.publication == Project.Publication.NETWORK:
            project.publication = Project.Publication.PROPOSED
            project.save(update_fields=["publication", "updated_at"])
    return project


def withdraw(*, author: User, project: Project) -> Project:
    """The author takes the project off the public page (or the proposal back), at once."""
    with transaction.atomic():
        project = _own(project, author)
        project.publication = Project.Publication.NETWORK
        project.approved_by, project.approved_at = None, None
        project.save(update_fields=["publication", "approved_by", "approved_at", "updated_at"])
        drop_landing_cache()
    return project


def decide(
    *,
    moderator: User,
    project: Project,
    approve: bool,
    reason: str = "",
    at: dt.datetime | None = None,
    notify: bool = True,
):
    """A moderator approves a proposal for the public page, or declines it with a reason; the
    author is told by mail (``notify``: only the demo data, made up, stays silent)."""
    at = at or timezone.now()
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError(_("Bitte geben Sie einen Grund an; die Autorin oder der Autor erfährt ihn."))
    with transaction.atomic():
        project = Project.objects.select_for_update(of=("self",)).select_related("author").get(pk=project.pk)
        if project.publication != Project.Publication.PROPOSED:
            raise ValidationError(_("Dieses Projekt ist nicht (mehr) vorgeschlagen."))
        if approve:
            project.publication = Project.Publication.PUBLIC
            project.approved_by, project.approved_at = moderator, at
        else:
            project.publication = Project.Publication.NETWORK
        project.save(update_fields=["publication", "approved_by", "approved_at", "updated_at"])
        action = ModerationEvent.Action.APPROVE_PROJECT if approve else ModerationEvent.Action.DECLINE_PROJECT
        event = ModerationEvent.objects.create(
            action=action,
            actor=moderator,
            subject=project.author,
            reason=reason,
            target_model="community.project",
            target_id=project.pk,
            at=at,
        )
        if notify:
            tell(
                project.author,
                template="project_decided",
                context={"project": project, "approved": approve, "reason": reason},
                kind="community-project",
                key=f"community-project:{event.pk}",
            )
        drop_landing_cache()
    return project


def delete_project(*, author: User, project: Project) -> None:
    with transaction.atomic():
        project = _own(project, author)
        delete_files_on_commit(ProjectFile.objects.filter(project=project).values_list("file", flat=True))
        project.delete()
        drop_landing_cache()
