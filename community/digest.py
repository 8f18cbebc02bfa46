"""The exchange's weekly digest: new posts in the threads a member watches, by mail.

Only members who asked for it get it, only while they are members, in their language, with a
link that unsubscribes without signing in. One mail per member and week (the outbox key holds
the ISO week), so a second run in the same week sends nothing twice; a week without news sends
nothing at all.
"""

import datetime as dt

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.mail import absolute_url, queue_templated_mail, reachable

from .access import member_ids
from .models import DigestSubscription, Post

WEEK = dt.timedelta(days=7)
SALT = "community.digest.unsubscribe"


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps(user_id, salt=SALT)


def user_from_token(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def news_for(user, *, since: dt.datetime, until: dt.datetime) -> list[dict]:
    """Per watched thread with news: the thread and its new visible posts by others."""
    posts = (
        Post.objects.filter(
            thread__watches__user=user,
            created_at__gt=since,
            created_at__lte=until,
            hidden=False,
        )
        .exclude(author=user)
        .select_related("thread", "author")
        .order_by("thread__last_post_at", "created_at")
    )
    threads: dict[int, dict] = {}
    for post in posts:
        entry = threads.setdefault(
            post.thread_id,
            {
                "thread": post.thread,
                "url": absolute_url(reverse("community:thread", args=[post.thread_id])),
                "posts": [],
            },
        )
        entry["posts"].append(post)
    return list(threads.values())


def send_digest(*, subscription: DigestSubscription, at: dt.datetime) -> bool:
    user = subscription.user
    if not reachable(user):
        return False
    since = max(subscription.last_sent_at or at - WEEK, at - WEEK)
    news = news_for(user, since=since, until=at)
    if not news:
        return False
    year, week, _day = timezone.localtime(at).isocalendar()
    with transaction.atomic():
        queue_templated_mail(
            template="community/digest",
            context={
                "user": user,
                "news": news,
                "unsubscribe_url": absolute_url(
                    reverse("community:unsubscribe", args=[unsubscribe_token(user.pk)])
                ),
            },
            recipient=user.email,
            user=user,
            kind="community-digest",
            idempotency_key=f"community-digest:{user.pk}:{year}-W{week:02d}",
        )
        DigestSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=at)
    return True


def send_all(*, at: dt.datetime | None = None) -> int:
    """The weekly run: every subscribed member with news gets one mail."""
    at = at or timezone.now()
    subscriptions = DigestSubscription.objects.filter(user__in=member_ids(today=timezone.localdate(at)))
    return sum(send_digest(subscription=s, at=at) for s in subscriptions.select_related("user"))
