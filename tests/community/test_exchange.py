"""The exchange: threads, replies, watching, the weekly digest, and moderation."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community import digest, exchange, privacy
from community.markdown import render
from community.models import DigestSubscription, ModerationEvent, Post, Report, Thread
from community.tasks import send_exchange_digest
from portal.mail.models import OutboxMessage

pytestmark = pytest.mark.django_db

THREADS = reverse("community:threads")
XSS = [
    "<script>alert(1)</script>",
    '<img src="https://evil.example/x.png" onerror="alert(1)">',
    "![bild](https://evil.example/track.png)",
    "[klick](javascript:alert(1))",
    '<a href="https://x" onclick="alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


def test_markdown_subset_renders_and_sanitises():
    html = render("**fett** _kursiv_\n\n- eins\n- zwei\n\n> Zitat\n\n[Link](https://example.org)")
    assert "<strong>fett</strong>" in html and "<em>kursiv</em>" in html and "<li>eins</li>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">Link</a>' in html
    for attack in XSS:
        for tag, attrs in elements(render(attack)):
            assert tag in {"p", "br", "em", "strong", "ul", "ol", "li", "a", "code", "pre", "blockquote"}
            assert set(attrs) <= {"href", "rel"}
            assert attrs.get("href", "https:").startswith(("https:", "http:", "mailto:"))


def test_a_member_asks_and_another_answers(client, cast):
    client.force_login(cast.participant)
    response = client.post(
        reverse("community:thread_new"),
        {
            "module": cast.modules[0].pk,
            "title": "Sensoren <b>?</b>",
            "body": XSS[0] + " **Wer** kennt LoRaWAN?",
        },
    )
    thread = Thread.objects.get()
    assert response["Location"] == reverse("community:thread", args=[thread.pk])
    client.force_login(cast.graduate)
    answer = client.post(reverse("community:thread", args=[thread.pk]), {"body": "Wir! " + XSS[1]})
    assert answer.status_code == 302
    page = client.get(reverse("community:thread", args=[thread.pk])).content.decode()
    assert "<strong>Wer</strong>" in page and "Wir!" in page
    body = page[page.index('class="community-posts"') :]
    assert "<script>alert" not in body and "<img" not in body and "<b>?</b>" not in page
    listing = client.get(THREADS).content.decode()
    assert "Sensoren &lt;b&gt;?&lt;/b&gt;" in listing


def test_readers_and_outsiders_cannot_write(client, cast):
    thread = exchange.start_thread(author=cast.graduate, title="Frage", body="Text")
    client.force_login(cast.evaluator)
    assert client.get(reverse("community:thread", args=[thread.pk])).status_code == 200
    assert client.post(reverse("community:thread", args=[thread.pk]), {"body": "x"}).status_code == 403
    assert client.post(reverse("community:thread_new"), {"title": "t", "body": "b"}).status_code == 403
    client.force_login(cast.applicant)
    assert client.get(reverse("community:thread", args=[thread.pk])).status_code == 403
    assert Post.objects.count() == 1


def test_a_locked_thread_takes_no_reply_and_the_author_is_told(client, cast):
    thread = exchange.start_thread(author=cast.graduate, title="Frage", body="Text")
    client.force_login(cast.participant)
    client.post(reverse("community:thread_lock", args=[thread.pk]), {"lock": "1"})
    assert not Thread.objects.get().locked  # members do not lock
    client.force_login(cast.coordinator)
    client.post(reverse("community:thread_lock", args=[thread.pk]), {"lock": "1", "reason": "erledigt"})
    assert Thread.objects.get().locked
    assert ModerationEvent.objects.get().action == "lock_thread"
    assert OutboxMessage.objects.filter(kind="community-moderation", recipient=cast.graduate.email).exists()
    client.force_login(cast.participant)
    response = client.post(reverse("community:thread", args=[thread.pk]), {"body": "Noch was"})
    assert Post.objects.count() == 1
    assert response.status_code in (400, 200)


def test_report_then_a_moderator_hides_the_post(client, cast):
    thread = exchange.start_thread(author=cast.graduate, title="Frage", body="Werbung für Firma X")
    post = thread.posts.get()
    client.force_login(cast.participant)
    client.post(reverse("community:post_report", args=[post.pk]), {"reason": "Werbung"})
    client.post(reverse("community:post_report", args=[post.pk]), {"reason": "nochmal"})
    assert Report.objects.count() == 1
    client.post(reverse("community:post_moderate", args=[post.pk]), {"action": "hide", "reason": "x"})
    assert not Post.objects.get().hidden  # members do not hide
    client.force_login(cast.coordinator)
    assert "Frage" in client.get(reverse("community:moderation")).content.decode()
    client.post(reverse("community:post_moderate", args=[post.pk]), {"action": "hide", "reason": "Werbung"})
    post.refresh_from_db()
    assert post.hidden and Report.objects.get().resolved_at is not None
    told = OutboxMessage.objects.get(kind="community-moderation")
    assert told.recipient == cast.graduate.email and "Werbung" in told.body_text
    client.force_login(cast.participant)
    page = client.get(reverse("community:thread", args=[thread.pk])).content.decode()
    assert "Werbung für Firma X" not in page and "ausgeblendet" in page


def test_thread_with_200_replies_has_a_flat_query_count(client, cast, django_assert_num_queries):
    thread = exchange.start_thread(author=cast.graduate, title="Frage", body="Text")
    client.force_login(cast.participant)
    client.get(reverse("community:thread", args=[thread.pk]))
    with django_assert_num_queries(7):
        assert client.get(reverse("community:thread", args=[thread.pk])).status_code == 200
    Post.objects.bulk_create(
        Post(
            thread=thread,
            author=cast.graduate if i % 2 else cast.reviewer,
            body=f"A{i}",
            html=f"<p>A{i}</p>",
            created_at=timezone.now(),
        )
        for i in range(200)
    )
    with django_assert_num_queries(7):
        page = client.get(reverse("community:thread", args=[thread.pk])).content.decode()
    assert page.count('<li class="community-post') == 201
    with django_assert_num_queries(7):
        assert client.get(THREADS).status_code == 200


def test_watch_and_weekly_digest_in_the_members_language_with_unsubscribe(client, cast):
    start = timezone.now() - dt.timedelta(days=2)
    thread = exchange.start_thread(author=cast.participant, title="LoRaWAN", body="Wer kennt es?", at=start)
    cast.participant.language = "en"
    cast.participant.save()
    client.force_login(cast.participant)
    client.post(reverse("community:digest"), {"subscribe": "1"})
    exchange.reply(
        author=cast.graduate,
        thread=thread,
        body="Wir nutzen es in Potsdam.",
        at=start + dt.timedelta(hours=1),
    )
    exchange.reply(author=cast.participant, thread=thread, body="Danke!", at=start + dt.timedelta(hours=2))
    assert send_exchange_digest.delay().get() == 1
    message = OutboxMessage.objects.get(kind="community-digest")
    assert message.recipient == cast.participant.email and message.language == "en"
    assert message.subject == "News from the exchange of the “Know-how-Transfer” network"
    assert "there are new posts in the threads you watch" in message.body_text
    assert "Wir nutzen es in Potsdam." in message.body_text and "Danke!" not in message.body_text
    assert digest.send_all() == 0  # nothing new since: no second mail
    unsubscribe = next(line for line in message.body_text.split() if "/abbestellen/" in line)
    path = unsubscribe[unsubscribe.index("/netzwerk/") :]
    anonymous = Client()
    assert anonymous.get(path).status_code == 200
    assert DigestSubscription.objects.exists()
    anonymous.post(path)
    assert not DigestSubscription.objects.exists()
    assert anonymous.get("/netzwerk/austausch/abbestellen/falsch/").status_code == 404


def test_the_digest_goes_only_to_members(cast):
    thread = exchange.start_thread(
        author=cast.graduate, title="t", body="b", at=timezone.now() - dt.timedelta(days=1)
    )
    exchange.set_watch(user=cast.revoked, thread=thread, watch=True)
    exchange.set_digest(user=cast.revoked, subscribed=True)
    exchange.reply(author=cast.participant, thread=thread, body="neu")
    assert digest.send_all() == 0


def test_erasure_keeps_replies_as_deleted_member(client, cast):
    thread = exchange.start_thread(author=cast.graduate, title="Frage", body="Meine Frage")
    exchange.reply(author=cast.participant, thread=thread, body="Antwort")
    privacy.erase(cast.graduate, at=timezone.now())
    client.force_login(cast.participant)
    page = client.get(reverse("community:thread", args=[thread.pk])).content.decode()
    assert "gelöschtes Mitglied" in page and "Meine Frage" in page and "Antwort" in page
    assert cast.graduate.last_name not in page
