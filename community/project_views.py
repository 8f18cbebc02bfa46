"""The pages of the projects from the municipalities. Each view is wrapped in one access helper
of ``community.access``; the public page of an approved project needs none."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.models import TaskSubmission
from portal.files import private_download

from . import projects as services
from . import selectors
from .access import member_required, moderator_required, writer_required
from .forms import DeclineForm, ProjectForm, ProjectSearchForm
from .models import Suspension, Testimonial

CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


@member_required
def project_list(request):
    form = ProjectSearchForm(request.GET or None, districts=selectors.districts())
    result = selectors.projects(form.cleaned_data if form.is_valid() else {}, request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    mine = request.community.may_write
    return render(
        request,
        "community/projects.html",
        {
            "form": form,
            "page": result.page,
            "cards": result.cards,
            "query": query.urlencode(),
            "my_projects": list(selectors.my_projects(request.user)) if mine else [],
            "tasks": list(selectors.convertible_tasks(request.user)) if mine else [],
            "membership": request.community,
        },
    )


@member_required
def project_detail(request, pk: int):
    project = selectors.visible_project(pk, request.user)
    if project is None:
        raise Http404
    return render(
        request,
        "community/project_detail.html",
        {
            "project": project,
            "own": project.author_id == request.user.pk and request.community.may_write,
            "membership": request.community,
            "decline_form": DeclineForm(),
        },
    )


def _form_page(request, project):
    form = ProjectForm(
        request.POST or None,
        request.FILES or None,
        project=project,
        initial=ProjectForm.initial_from(project),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files, remove = data.pop("files"), data.pop("remove_files", [])
        modules = data.pop("modules")
        try:
            saved = services.save_project(
                author=request.user,
                project=project,
                modules=modules,
                files=files,
                remove_files=[f.pk for f in remove],
                **data,
            )
        except ValidationError as error:
            form.add_error("files", error)
        else:
            messages.success(request, _("Das Projekt ist gespeichert."))
            return redirect("community:project", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "community/project_form.html", {"form": form, "project": project}, status=status)


@writer_required
def project_new(request):
    return _form_page(request, None)


@writer_required
def project_edit(request, pk: int):
    project = selectors.own_project(pk, request.user)
    if project is None:
        raise Http404
    return _form_page(request, project)


@require_POST
@writer_required
def project_from_task(request, submission_pk: int):
    submission = get_object_or_404(TaskSubmission, pk=submission_pk, enrollment__user=request.user)
    try:
        project = services.project_from_task(author=request.user, submission=submission)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("community:projects")
    messages.success(
        request, _("Der Entwurf ist angelegt. Ergänzen Sie ihn und speichern Sie ihn als Projekt.")
    )
    return redirect("community:project_edit", pk=project.pk)


def _author_step(step, success: str):
    @require_POST
    @writer_required
    def view(request, pk: int):
        project = selectors.own_project(pk, request.user)
        if project is None:
            raise Http404
        try:
            step(author=request.user, project=project)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, success)
        if step is services.delete_project:
            return redirect("community:projects")
        return redirect("community:project", pk=pk)

    return view


project_propose = _author_step(
    services.propose, _("Das Projekt ist für die öffentliche Seite vorgeschlagen.")
)
project_withdraw = _author_step(services.withdraw, _("Das Projekt ist nur noch im Netzwerk sichtbar."))
project_delete = _author_step(services.delete_project, _("Das Projekt ist gelöscht."))


@require_POST
@moderator_required
def project_decide(request, pk: int):
    project = selectors.visible_project(pk, request.user)
    if project is None:
        raise Http404
    approve = request.POST.get("decision") == "approve"
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.decide(moderator=request.user, project=project, approve=approve, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Freigegeben.") if approve else _("Abgelehnt; die Autorin oder der Autor ist informiert."),
        )
    return redirect("community:moderation")


@moderator_required
def moderation(request):
    return render(
        request,
        "community/moderation.html",
        {
            "proposed": list(selectors.proposed_projects()),
            "reported": list(selectors.open_reports()),
            "suspended": list(
                Suspension.objects.filter(lifted_at__isnull=True)
                .select_related("user")
                .order_by("created_at")
            ),
            "testimonials": list(
                Testimonial.objects.filter(state=Testimonial.State.PENDING).select_related(
                    "author", "municipality"
                )
            ),
        },
    )


@member_required
def project_file(request, pk: int, file_pk: int):
    project = selectors.visible_project(pk, request.user)
    stored = next((f for f in project.files.all() if f.pk == file_pk), None) if project else None
    if stored is None:
        raise Http404
    return private_download(stored.file, stored.file_name, CONTENT_TYPES[stored.kind])


def public_project(request, pk: int):
    project = selectors.public_project(pk)
    if project is None:
        raise Http404
    return render(request, "community/public_project.html", {"project": project})
