"""Writes of the exchange: threads, replies, watching, reports and their moderation.

Each function is one transaction. A locked thread takes no reply; a hidden post keeps its text
for the moderation, not for the members. Every moderation step (hide, show, lock, unlock) is
written to the moderation log and the author is told by mail.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User

from . import markdown
from .models import DigestSubscription, ModerationEvent, Post, Report, Thread, Watch
from .services import tell


def start_thread(
    *, author: User, title: str, body: str, module=None, at: dt.datetime | None = None
) -> Thread:
    """Open a thread with its first post; the author watches it."""
    at = at or timezone.now()
    with transaction.atomic():
        thread = Thread.objects.create(
            module=module, title=title, author=author, created_at=at, last_post_at=at
        )
        Post.objects.create(
            thread=thread, author=author, body=body, html=markdown.render(body), created_at=at
        )
        Watch.objects.get_or_create(user=author, thread=thread)
    return thread


def reply(*, author: User, thread: Thread, body: str, at: dt.datetime | None = None) -> Post:
    at = at or timezone.now()
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        if thread.locked:
            raise ValidationError(_("Dieses Thema ist geschlossen; Antworten sind nicht mehr möglich."))
        post = Post.objects.create(
            thread=thread, author=author, body=body, html=markdown.render(body), created_at=at
        )
        thread.last_post_at = at
        thread.save(update_fields=["last_post_at"])
    return post


def set_watch(*, user: User, thread: Thread, watch: bool) -> None:
    with transaction.atomic():
        if watch:
            Watch.objects.get_or_create(user=user, thread=thread)
        else:
            Watch.objects.filter(user=user, thread=thread).delete()


def set_digest(*, user: User, subscribed: bool) -> None:
    with transaction.atomic():
        if subscribed:
            DigestSubscription.objects.get_or_create(user=user)
        else:
            DigestSubscription.objects.filter(user=user).delete()


def unsubscribe_digest(*, user_id: int) -> None:
    """The digest's unsubscribe link, which works without signing in."""
    with transaction.atomic():
        DigestSubscription.objects.filter(user_id=user_id).delete()


def report(*, reporter: User, post: Post, reason: str, at: dt.datetime | None = None) -> Report:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Bitte schreiben Sie kurz, was an dem Beitrag nicht in Ordnung ist."))
    if post.author_id == reporter.pk:
        raise ValidationError(_("Eigene Beiträge können Sie nicht melden."))
    try:
        with transaction.atomic():
            return Report.objects.create(
                post=post, reporter=reporter, reason=reason, created_at=at or timezone.now()
            )
    except IntegrityError:
        raise ValidationError(_("Sie haben diesen Beitrag bereits gemeldet.")) from None


def _audit(
    *, action: str, actor: User, subject: User | None, reason: str, target, at: dt.datetime
) -> ModerationEvent:
    return ModerationEvent.objects.create(
        action=action,
        actor=actor,
        subject=subject,
        reason=reason,
        target_model=target._meta.label_lower,
        target_id=target.pk,
        at=at,
    )


def moderate_post(
    *, moderator: User, post: Post, hide: bool, reason: str = "", at: dt.datetime | None = None
) -> Post:
    """Hide a post (with a reason the author reads) or show it again; open reports are settled."""
    at = at or timezone.now()
    reason = reason.strip()
    if hide and not reason:
        raise ValidationError(_("Bitte geben Sie einen Grund an; die Autorin oder der Autor erfährt ihn."))
    with transaction.atomic():
        post = Post.objects.select_for_update(of=("self",)).select_related("author", "thread").get(pk=post.pk)
        if post.hidden == hide:
            raise ValidationError(_("Der Beitrag ist bereits so eingestellt."))
        post.hidden, post.hidden_reason = hide, reason if hide else ""
        post.save(update_fields=["hidden", "hidden_reason"])
        Report.objects.filter(post=post, resolved_at__isnull=True).update(resolved_at=at)
        action = ModerationEvent.Action.HIDE_POST if hide else ModerationEvent.Action.SHOW_POST
        event = _audit(action=action, actor=moderator, subject=post.author, reason=reason, target=post, at=at)
        if post.author is not None:
            tell(
                post.author,
                template="moderated",
                context={"thread": post.thread, "action": event.get_action_display(), "reason": reason},
                kind="community-moderation",
                key=f"community-moderation:{event.pk}",
            )
    return post


def dismiss_reports(*, moderator: User, post: Post, at: dt.datetime | None = None) -> int:
    with transaction.atomic():
        return Report.objects.filter(post=post, resolved_at__isnull=True).update(
            resolved_at=at or timezone.now()
        )


def lock_thread(
    *, moderator: User, thread: Thread, lock: bool, reason: str = "", at: dt.datetime | None = None
) -> Thread:
    at = at or timezone.now()
    with transaction.atomic():
        thread = Thread.objects.select_for_update(of=("self",)).select_related("author").get(pk=thread.pk)
        if thread.locked == lock:
            raise ValidationError(_("Das Thema ist bereits so eingestellt."))
        thread.locked = lock
        thread.save(update_fields=["locked"])
        action = ModerationEvent.Action.LOCK_THREAD if lock else ModerationEvent.Action.UNLOCK_THREAD
        event = _audit(
            action=action, actor=moderator, subject=thread.author, reason=reason.strip(), target=thread, at=at
        )
        if thread.author is not None:
            tell(
                thread.author,
                template="moderated",
                context={"thread": thread, "action": event.get_action_display(), "reason": reason.strip()},
                kind="community-moderation",
                key=f"community-moderation:{event.pk}",
            )
    return thread
