"""Testimonials: consent recorded, approval by a coordinator, the start page's section, and
withdrawal that removes a statement at once."""

import pytest
from django.urls import reverse

from community import models, projects, testimonials
from community.models import ModerationEvent, Project
from portal.mail.models import OutboxMessage
from tests.factories import municipality

from .conftest import graduate

pytestmark = pytest.mark.django_db

EDIT = reverse("community:testimonial")
XSS = "<script>alert(1)</script>"


def write(client, user, text="Das Netzwerk hilft mir jeden Tag.", show_name="0", consent="on"):
    client.force_login(user)
    data = {"text": text, "show_name": show_name}
    if consent:
        data["consent"] = consent
    return client.post(EDIT, data)


def test_consent_is_required_and_recorded(client, cast):
    response = write(client, cast.graduate, consent="")
    assert response.status_code == 200 and "Einwilligung" in response.content.decode()
    assert "Das Netzwerk hilft mir" in response.content.decode()
    assert not models.Testimonial.objects.exists()
    assert write(client, cast.graduate).status_code == 302
    stored = models.Testimonial.objects.get()
    assert stored.consent_version == testimonials.CONSENT_VERSION
    assert stored.consent_text.startswith("Ich willige ein")
    assert stored.consent_at is not None and stored.state == "pending"
    assert stored.cohort == cast.past


def test_at_most_600_characters(client, cast):
    assert write(client, cast.graduate, text="x" * 601).status_code == 200
    assert not models.Testimonial.objects.exists()


def test_only_participants_and_graduates_write(client, cast):
    for who in (cast.reviewer, cast.coordinator, cast.evaluator, cast.applicant):
        assert write(client, who).status_code == 403
    assert not models.Testimonial.objects.exists()


def test_approval_shows_it_on_the_start_page_and_withdrawal_removes_it_at_once(client, cast):
    write(client, cast.graduate, text="Grete sagt: " + XSS, show_name="1")
    home = reverse("home")
    assert "Grete sagt" not in client.get(home).content.decode()
    client.force_login(cast.participant)
    stored = models.Testimonial.objects.get()
    client.post(reverse("community:testimonial_decide", args=[stored.pk]), {"decision": "approve"})
    assert models.Testimonial.objects.get().state == "pending"
    client.force_login(cast.coordinator)
    client.post(reverse("community:testimonial_decide", args=[stored.pk]), {"decision": "approve"})
    assert ModerationEvent.objects.get().action == "approve_testimonial"
    assert OutboxMessage.objects.filter(kind="community-testimonial", recipient=cast.graduate.email).exists()
    client.logout()
    page = client.get(home).content.decode()
    assert "Grete sagt" in page and "Grete Graduiert" in page and XSS not in page
    client.force_login(cast.graduate)
    client.post(reverse("community:testimonial_withdraw"))
    assert not models.Testimonial.objects.exists()
    client.logout()
    assert "Grete sagt" not in client.get(home).content.decode()


def test_without_name_only_town_and_cohort(client, cast):
    write(client, cast.graduate, text="Anonym gut")
    testimonials.decide(
        moderator=cast.coordinator, testimonial=models.Testimonial.objects.get(), approve=True
    )
    client.logout()
    page = client.get(reverse("home")).content.decode()
    assert "Anonym gut" in page and "Grete" not in page and "2. Schulungsdurchgang" in page


def test_towns_by_district_link_to_statements_and_public_projects(client, cast):
    eberswalde = municipality("Eberswalde")
    author = graduate(cast.past, municipality=eberswalde, first_name="Ella")
    project = projects.save_project(
        author=author,
        modules=[],
        municipality=eberswalde,
        title="Smarte Laternen",
        summary="s",
        status="done",
        tags=[],
        started_on=None,
        ended_on=None,
        lessons="",
        links=[],
    )
    page = client.get(reverse("home")).content.decode()
    assert "Erreichte Kommunen nach Landkreis" in page
    assert reverse("community:town", args=[eberswalde.pk]) not in page
    projects.propose(author=author, project=project)
    projects.decide(moderator=cast.coordinator, project=project, approve=True)
    page = client.get(reverse("home")).content.decode()
    assert reverse("community:town", args=[eberswalde.pk]) in page
    town = client.get(reverse("community:town", args=[eberswalde.pk])).content.decode()
    assert "Smarte Laternen" in town
    projects.withdraw(author=author, project=Project.objects.get())
    assert (
        "Smarte Laternen" not in client.get(reverse("community:town", args=[eberswalde.pk])).content.decode()
    )
    assert client.get(reverse("community:town", args=[municipality("Prenzlau").pk])).status_code == 404


def test_start_page_section_query_count(client, cast, django_assert_num_queries):
    write(client, cast.graduate)
    testimonials.decide(
        moderator=cast.coordinator, testimonial=models.Testimonial.objects.get(), approve=True
    )
    client.logout()
    client.get(reverse("home"))
    with django_assert_num_queries(4):  # the landing's own reads; the network's section is cached
        client.get(reverse("home"))
    for index in range(8):
        other = graduate(cast.past, municipality=municipality("Cottbus"))
        write(client, other, text=f"Eindruck {index}")
        testimonials.decide(
            moderator=cast.coordinator, testimonial=models.Testimonial.objects.get(author=other), approve=True
        )
    client.logout()
    # New graduates dropped the landing's totals (two queries) and new statements the network's
    # section (two queries): both are built again once, then served from the cache.
    with django_assert_num_queries(8):
        page = client.get(reverse("home")).content.decode()
    assert page.count('class="community-statement"') == testimonials.LANDING_STATEMENTS
    with django_assert_num_queries(4):
        client.get(reverse("home"))
