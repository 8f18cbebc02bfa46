"""The group's pages. Each view is wrapped in one access helper of ``community.access``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.models import User
from portal.files import private_download

from . import selectors, services, testimonials
from .access import member_required, membership, moderator_required, writer_required
from .forms import ContactForm, DirectoryEntryForm, DirectorySearchForm, SuspendForm, TestimonialForm
from .models import Suspension, Testimonial


@member_required
def home(request):
    return render(
        request,
        "community/home.html",
        {"membership": request.community, "entry": selectors.own_entry(request.user)},
    )


@member_required
def directory(request):
    form = DirectorySearchForm(request.GET or None, districts=selectors.districts())
    filters = form.cleaned_data if form.is_valid() else {}
    result = selectors.directory(filters, request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    return render(
        request,
        "community/directory.html",
        {"form": form, "page": result.page, "rows": result.rows, "query": query.urlencode()},
    )


@writer_required
def entry_edit(request):
    entry = selectors.own_entry(request.user)
    form = DirectoryEntryForm(request.POST or None, initial=DirectoryEntryForm.initial_from(entry))
    if request.method == "POST" and form.is_valid():
        services.save_entry(user=request.user, **form.cleaned_data)
        messages.success(request, _("Ihr Eintrag im Verzeichnis ist gespeichert."))
        return redirect("community:directory")
    return render(request, "community/entry_form.html", {"form": form, "entry": entry})


@require_POST
@writer_required
def entry_leave(request):
    if services.leave_directory(user=request.user):
        messages.success(request, _("Ihr Eintrag ist aus dem Verzeichnis entfernt."))
    return redirect("community:home")


@writer_required
def contact(request, pk: int):
    entry = selectors.contactable_entry(pk)
    if entry is None or entry.user_id == request.user.pk or not entry.contact == entry.Contact.FORM:
        raise Http404
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_contact_message(sender=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Ihre Nachricht ist unterwegs."))
            return redirect("community:directory")
    return render(
        request, "community/contact.html", {"form": form, "name": entry.user.get_full_name()}, status=200
    )


@moderator_required
def suspend(request, user_pk: int):
    member = get_object_or_404(User, pk=user_pk)
    current = membership(member)
    if current is None:
        raise Http404
    open_suspension = Suspension.objects.filter(user=member, lifted_at__isnull=True).first()
    form = SuspendForm(request.POST or None)
    if request.method == "POST":
        try:
            if open_suspension:
                services.lift_suspension(member=member, actor=request.user)
                messages.success(request, _("Die Sperre ist aufgehoben."))
                return redirect("community:home")
            if form.is_valid():
                services.suspend_member(member=member, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("Das Mitglied ist gesperrt und per E-Mail informiert."))
                return redirect("community:home")
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "community/suspend.html",
        {"form": form, "member": member, "open_suspension": open_suspension},
    )


@member_required
def materials(request):
    return render(request, "community/materials.html", {"materials": list(selectors.materials(request.user))})


@member_required
def material_download(request, pk: int):
    """The permission-checked download of a material shared with the network."""
    material = selectors.materials(request.user).filter(pk=pk).first()
    if material is None or not material.file:
        raise Http404
    return private_download(material.file, material.file_name)


# --- Testimonials ---------------------------------------------------------------------------


@writer_required
def testimonial_edit(request):
    """A participant's or graduate's statement for the start page, with their consent."""
    if not (request.community.participant or request.community.graduate):
        return render(request, "community/not_allowed.html", status=403)
    testimonial = Testimonial.objects.filter(author=request.user).first()
    initial = (
        {"text": testimonial.text, "show_name": "1" if testimonial.show_name else "0"} if testimonial else {}
    )
    form = TestimonialForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            testimonials.submit(author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("consent", error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request, _("Danke! Ihr Eindruck wartet auf die Freigabe durch die Koordination.")
            )
            return redirect("community:home")
    return render(request, "community/testimonial_form.html", {"form": form, "testimonial": testimonial})


@require_POST
@member_required
def testimonial_withdraw(request):
    if testimonials.withdraw(author=request.user):
        messages.success(request, _("Ihr Eindruck ist gelöscht und erscheint nicht mehr auf der Startseite."))
    return redirect("community:home")


@require_POST
@moderator_required
def testimonial_decide(request, pk: int):
    testimonial = get_object_or_404(Testimonial, pk=pk)
    try:
        testimonials.decide(
            moderator=request.user, testimonial=testimonial, approve=request.POST.get("decision") == "approve"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("community:moderation")


def town(request, pk: int):
    """A town the programme reached: its approved statements and public projects (public page)."""
    found = testimonials.town_page(pk)
    if found is None:
        raise Http404
    town, statements, projects = found
    return render(
        request, "community/town.html", {"town": town, "statements": statements, "projects": projects}
    )
