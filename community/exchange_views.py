"""The exchange's pages. Each view is wrapped in one access helper of ``community.access``;
the digest's unsubscribe link works without signing in (it carries a signed token)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import exchange, selectors
from .access import member_required, moderator_required, writer_required
from .digest import user_from_token
from .forms import ReasonForm, ReplyForm, ThreadForm, TopicFilterForm
from .models import DigestSubscription, Post, Thread


@member_required
def thread_list(request):
    form = TopicFilterForm(request.GET or None)
    module = form.cleaned_data.get("module") if form.is_valid() else None
    page, rows = selectors.threads(module, request.GET.get("seite"))
    return render(
        request,
        "community/threads.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "membership": request.community,
            "subscribed": DigestSubscription.objects.filter(user=request.user).exists(),
            "module_pk": module.pk if module else "",
        },
    )


@writer_required
def thread_new(request):
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        thread = exchange.start_thread(author=request.user, **form.cleaned_data)
        return redirect("community:thread", pk=thread.pk)
    return render(request, "community/thread_form.html", {"form": form})


@member_required
def thread_detail(request, pk: int):
    page = selectors.thread_page(pk, request.user)
    if page is None:
        raise Http404
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if not request.community.may_write:
            return render(request, "community/not_allowed.html", status=403)
        if form.is_valid():
            try:
                post = exchange.reply(author=request.user, thread=page.thread, body=form.cleaned_data["body"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(f"{request.path}#beitrag-{post.pk}")
    return render(
        request,
        "community/thread.html",
        {"page": page, "form": form, "membership": request.community, "reason_form": ReasonForm()},
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def thread_watch(request, pk: int):
    thread = get_object_or_404(Thread, pk=pk)
    exchange.set_watch(user=request.user, thread=thread, watch=request.POST.get("watch") == "1")
    return redirect("community:thread", pk=pk)


@require_POST
@member_required
def digest_setting(request):
    subscribed = request.POST.get("subscribe") == "1"
    exchange.set_digest(user=request.user, subscribed=subscribed)
    messages.success(
        request,
        _("Sie erhalten die Wochenübersicht.") if subscribed else _("Die Wochenübersicht ist abbestellt."),
    )
    return redirect("community:threads")


@require_POST
@writer_required
def post_report(request, pk: int):
    post = get_object_or_404(Post, pk=pk, hidden=False)
    form = ReasonForm(request.POST)
    try:
        exchange.report(
            reporter=request.user, post=post, reason=form.cleaned_data["reason"] if form.is_valid() else ""
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Danke, die Moderation sieht sich den Beitrag an."))
    return redirect("community:thread", pk=post.thread_id)


@require_POST
@moderator_required
def post_moderate(request, pk: int):
    post = get_object_or_404(Post, pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    action = request.POST.get("action")
    try:
        if action == "dismiss":
            exchange.dismiss_reports(moderator=request.user, post=post)
        else:
            exchange.moderate_post(moderator=request.user, post=post, hide=action == "hide", reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("community:thread", pk=post.thread_id)


@require_POST
@moderator_required
def thread_lock(request, pk: int):
    thread = get_object_or_404(Thread, pk=pk)
    form = ReasonForm(request.POST)
    try:
        exchange.lock_thread(
            moderator=request.user,
            thread=thread,
            lock=request.POST.get("lock") == "1",
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("community:thread", pk=pk)


def unsubscribe(request, token: str):
    """The digest's link: a confirmation page, and the unsubscribing POST, without signing in."""
    user_id = user_from_token(token)
    if user_id is None:
        raise Http404
    done = False
    if request.method == "POST":
        exchange.unsubscribe_digest(user_id=user_id)
        done = True
    return render(request, "community/unsubscribe.html", {"done": done})
