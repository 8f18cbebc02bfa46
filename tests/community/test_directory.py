"""The opt-in directory: joining, finding people, leaving at once, contact without addresses."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import ContactMessage, DirectoryEntry
from community.services import CONTACT_LIMIT_PER_HOUR
from portal.mail.models import OutboxMessage
from tests.factories import municipality

from .conftest import graduate

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("community:directory")
EDIT = reverse("community:entry_edit")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def join(user, town="Potsdam", modules=(), tags=(), contact="form", **fields):
    return services.save_entry(
        user=user,
        municipality=municipality(town),
        unit=fields.get("unit", "Stabsstelle Digitalisierung"),
        function=fields.get("function", "Smart City Managerin"),
        modules=list(modules),
        tags=list(tags),
        contact=contact,
        contact_note="",
    )


def test_a_graduate_joins_through_the_form_and_appears(client, cast):
    client.force_login(cast.graduate)
    potsdam = municipality("Potsdam")
    response = client.post(
        EDIT,
        {
            "municipality": potsdam.pk,
            "unit": "Stabsstelle",
            "function": "Leitung",
            "modules": [cast.modules[0].pk, cast.modules[2].pk],
            "tags": "Open Data, open data,  Sensorik ",
            "contact": "form",
            "contact_note": "dienstags",
        },
    )
    assert response.status_code == 302
    entry = DirectoryEntry.objects.get(user=cast.graduate)
    assert entry.tags == ["Open Data", "Sensorik"]
    assert set(entry.modules.all()) == {cast.modules[0], cast.modules[2]}
    page = client.get(DIRECTORY).content.decode()
    assert "Grete Graduiert" in page and "Potsdam" in page and "Sensorik" in page
    assert cast.graduate.email not in page


def test_bad_input_keeps_what_was_typed(client, cast):
    client.force_login(cast.graduate)
    response = client.post(
        EDIT, {"municipality": "", "unit": "Mein Referat", "tags": ",".join(f"t{i}" for i in range(12))}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mein Referat" in page
    assert "höchstens 10 Schlagworte" in page
    assert not DirectoryEntry.objects.exists()


def test_search_by_district_municipality_topic_cohort_and_text(client, cast):
    other = graduate(cast.running, first_name="Olaf", last_name="Oderland")
    join(cast.graduate, "Potsdam", modules=[cast.modules[0]], tags=["Sensorik"])
    join(other, "Eberswalde", modules=[cast.modules[1]])
    client.force_login(cast.participant)

    def names(**query):
        page = client.get(DIRECTORY, query).content.decode()
        return {name for name in ("Grete Graduiert", "Olaf Oderland") if name in page}

    eberswalde = municipality("Eberswalde")
    assert names() == {"Grete Graduiert", "Olaf Oderland"}
    assert names(district=eberswalde.district) == {"Olaf Oderland"}
    assert names(municipality=municipality("Potsdam").pk) == {"Grete Graduiert"}
    assert names(module=cast.modules[1].pk) == {"Olaf Oderland"}
    assert names(cohort=cast.past.pk) == {"Grete Graduiert"}
    assert names(cohort=cast.running.pk) == {"Olaf Oderland"}
    assert names(q="sensor") == {"Grete Graduiert"}
    assert names(district="nirgendwo") == {"Grete Graduiert", "Olaf Oderland"}  # unknown filter ignored


def test_leaving_removes_the_entry_at_once(client, cast):
    join(cast.graduate)
    client.force_login(cast.graduate)
    response = client.post(reverse("community:entry_leave"))
    assert response.status_code == 302
    assert not DirectoryEntry.objects.exists()
    client.force_login(cast.participant)
    assert "Grete Graduiert" not in client.get(DIRECTORY).content.decode()


def test_entries_of_people_who_left_the_group_are_not_shown(client, cast):
    entry = join(cast.revoked)
    client.force_login(cast.participant)
    assert "Rolf Widerrufen" not in client.get(DIRECTORY).content.decode()
    assert client.get(reverse("community:contact", args=[entry.pk])).status_code == 404


def test_stored_markup_is_shown_as_text(client, cast):
    join(cast.graduate, unit=XSS, function=XSS, tags=[XSS[:40]])
    cast.graduate.first_name = XSS[:100]
    cast.graduate.save()
    client.force_login(cast.participant)
    page = client.get(DIRECTORY).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_directory_query_count_does_not_grow(client, cast, django_assert_num_queries):
    join(cast.graduate, modules=cast.modules[:2], tags=["a"])
    client.force_login(cast.participant)
    client.get(DIRECTORY)  # the session's first request settles the security markers
    with django_assert_num_queries(12):
        assert client.get(DIRECTORY, {"module": cast.modules[0].pk}).status_code == 200
    for index in range(15):
        join(graduate(cast.past if index % 2 else cast.running), "Cottbus", modules=cast.modules, tags=["b"])
    with django_assert_num_queries(12):
        page = client.get(DIRECTORY, {"module": cast.modules[0].pk}).content.decode()
    assert page.count("community-card") == 16


# --- contact --------------------------------------------------------------------------------


def contact(client, entry, **data):
    return client.post(
        reverse("community:contact", args=[entry.pk]),
        {"subject": "Frage zu Sensorik", "body": "Wie haben Sie das gelöst?", **data},
    )


def test_contact_mails_the_recipient_without_showing_addresses(client, cast):
    entry = join(cast.graduate)
    client.force_login(cast.participant)
    form = client.get(reverse("community:contact", args=[entry.pk])).content.decode()
    assert cast.graduate.email not in form
    assert contact(client, entry).status_code == 302
    message = OutboxMessage.objects.get(kind="community-contact")
    assert message.recipient == cast.graduate.email
    assert cast.participant.email not in message.body_text
    assert "Wie haben Sie das gelöst?" in message.body_text


def test_the_senders_address_goes_out_only_with_consent(client, cast):
    entry = join(cast.graduate)
    client.force_login(cast.participant)
    contact(client, entry)
    without = OutboxMessage.objects.get(kind="community-contact")
    assert without.reply_to == "" and cast.participant.email not in without.body_text
    contact(client, entry, reply_to_sender="on")
    message = OutboxMessage.objects.filter(kind="community-contact").exclude(pk=without.pk).get()
    assert message.reply_to == cast.participant.email
    assert "direkt an" in message.body_text
    assert ContactMessage.objects.filter(reply_to_sender=True).count() == 1


def test_mass_contact_mails_are_stopped_per_sender(client, cast):
    entries = [join(graduate(cast.past)) for _ in range(CONTACT_LIMIT_PER_HOUR + 1)]
    client.force_login(cast.participant)
    for entry in entries[:CONTACT_LIMIT_PER_HOUR]:
        assert contact(client, entry).status_code == 302
    refused = contact(client, entries[-1])
    assert refused.status_code == 200
    assert "viele Nachrichten" in refused.content.decode()
    assert "Frage zu Sensorik" in refused.content.decode()  # what was typed stays
    assert OutboxMessage.objects.filter(kind="community-contact").count() == CONTACT_LIMIT_PER_HOUR
    later = timezone.now() + dt.timedelta(hours=2)
    services.send_contact_message(
        sender=cast.participant, entry=entries[-1], subject="s", body="b", reply_to_sender=False, at=later
    )


def test_no_contact_to_those_who_want_none_nor_by_readers_or_outsiders(client, cast):
    silent = join(cast.graduate, contact="none")
    open_entry = join(cast.reviewer)
    client.force_login(cast.participant)
    assert client.get(reverse("community:contact", args=[silent.pk])).status_code == 404
    assert contact(client, silent).status_code == 404
    client.force_login(cast.evaluator)
    assert contact(client, open_entry).status_code == 403
    client.force_login(cast.applicant)
    assert contact(client, open_entry).status_code == 403
    assert client.get(DIRECTORY).status_code == 403
    assert not OutboxMessage.objects.filter(kind="community-contact").exists()


def test_others_cannot_change_or_remove_an_entry(client, cast):
    join(cast.graduate, unit="Original")
    client.force_login(cast.participant)
    client.post(reverse("community:entry_leave"))
    assert DirectoryEntry.objects.get(user=cast.graduate).unit == "Original"
    client.post(EDIT, {"municipality": municipality("Cottbus").pk, "contact": "form", "unit": "X"})
    assert DirectoryEntry.objects.get(user=cast.graduate).unit == "Original"
    assert DirectoryEntry.objects.get(user=cast.participant).unit == "X"


def test_the_delivered_mail_answers_to_the_sender_only_with_consent(cast, settings):
    from django.core import mail

    from portal.mail import send_batch

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    entry = join(cast.graduate)
    agreed = services.send_contact_message(
        sender=cast.participant, entry=entry, subject="a", body="b", reply_to_sender=True
    )
    silent = services.send_contact_message(
        sender=cast.participant, entry=entry, subject="c", body="d", reply_to_sender=False
    )
    ids = list(
        OutboxMessage.objects.filter(related_id__in=[agreed.pk, silent.pk])
        .order_by("related_id")
        .values_list("pk", flat=True)
    )
    send_batch(ids)
    assert [m.reply_to for m in mail.outbox] == [[cast.participant.email], []]
