"""Who belongs to the group is decided from current data at every request."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import services as certificate_services
from certificates.models import Certificate
from cohorts.models import Enrollment
from community import access
from community.models import ModerationEvent, Suspension
from community.services import lift_suspension, suspend_member
from portal.mail.models import OutboxMessage
from tests.factories import EnrollmentFactory

from .conftest import graduate

pytestmark = pytest.mark.django_db

HOME = reverse("community:home")


def test_membership_by_ground(cast):
    assert access.membership(cast.participant).role == access.MEMBER
    assert access.membership(cast.participant).participant
    assert access.membership(cast.graduate).graduate
    assert access.membership(cast.coordinator).role == access.MODERATOR
    assert access.membership(cast.reviewer).role == access.MEMBER
    assert access.membership(cast.evaluator).role == access.READER
    assert not access.membership(cast.evaluator).may_write
    assert access.membership(cast.revoked) is None
    assert access.membership(cast.applicant) is None


def test_a_seat_counts_only_while_the_cohort_runs(cast):
    ended_without_certificate = EnrollmentFactory(cohort=cast.past, state=Enrollment.State.CONFIRMED).user
    offered_only = EnrollmentFactory(cohort=cast.running, state=Enrollment.State.OFFERED).user
    assert access.membership(ended_without_certificate) is None
    assert access.membership(offered_only) is None
    later = cast.running.end_date + dt.timedelta(days=1)
    assert access.membership(cast.participant, today=later) is None
    assert access.membership(cast.participant, today=cast.running.start_date) is not None


def test_members_queryset_agrees_with_membership(cast):
    ids = set(access.members().values_list("pk", flat=True))
    assert ids == {
        cast.participant.pk,
        cast.graduate.pk,
        cast.coordinator.pk,
        cast.reviewer.pk,
        cast.evaluator.pk,
    }


@pytest.mark.parametrize("who", ["participant", "graduate", "coordinator", "reviewer", "evaluator"])
def test_members_enter(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(HOME)
    assert response.status_code == 200
    assert "Know-how-Transfer" in response.content.decode()


@pytest.mark.parametrize("who", ["revoked", "applicant"])
def test_others_are_refused(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(HOME)
    assert response.status_code == 403
    assert "Nur für Mitglieder" in response.content.decode()


def test_anonymous_visitors_are_sent_to_login(client, cast):
    response = client.get(HOME)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_revoked_graduate_is_refused_at_the_next_request(client, cast):
    cast.past.coordinators.add(cast.coordinator)
    client.force_login(cast.graduate)
    assert client.get(reverse("community:directory")).status_code == 200
    certificate = Certificate.objects.get(enrollment__user=cast.graduate)
    certificate_services.revoke(
        certificate=certificate, reason="Täuschung", by=cast.coordinator, at=timezone.now()
    )
    response = client.get(reverse("community:directory"))
    assert response.status_code == 403


def test_erasure_requested_or_deactivated_account_is_refused(client, cast):
    client.force_login(cast.graduate)
    assert client.get(HOME).status_code == 200
    cast.graduate.erasure_requested_at = timezone.now()
    cast.graduate.save()
    assert client.get(HOME).status_code in (302, 403)
    assert access.membership(cast.graduate) is None


def test_suspended_members_open_session_is_refused_and_the_step_is_audited(client, cast):
    client.force_login(cast.graduate)
    assert client.get(HOME).status_code == 200
    moderator = client.__class__()
    moderator.force_login(cast.coordinator)
    url = reverse("community:suspend", args=[cast.graduate.pk])
    response = moderator.post(url, {"reason": "Werbung <script>alert(1)</script>"})
    assert response.status_code == 302
    refused = client.get(HOME)
    assert refused.status_code == 403
    assert "Zugang gesperrt" in refused.content.decode()
    event = ModerationEvent.objects.get()
    assert (event.action, event.actor, event.subject) == ("suspend", cast.coordinator, cast.graduate)
    told = OutboxMessage.objects.get(kind="community-suspended")
    assert told.recipient == cast.graduate.email
    assert "Werbung" in told.body_text
    assert "<script>" not in told.body_html
    assert cast.graduate.pk not in set(access.members().values_list("pk", flat=True))

    lift_suspension(member=cast.graduate, actor=cast.coordinator)
    assert client.get(HOME).status_code == 200
    assert ModerationEvent.objects.filter(action="lift").exists()
    assert (
        OutboxMessage.objects.filter(kind__startswith="community-", recipient=cast.graduate.email).count()
        == 2
    )


def test_only_moderators_suspend(client, cast):
    for who in (cast.participant, cast.reviewer, cast.evaluator):
        client.force_login(who)
        response = client.post(reverse("community:suspend", args=[cast.graduate.pk]), {"reason": "x"})
        assert response.status_code == 403
    assert not Suspension.objects.exists()


def test_suspending_needs_a_reason_and_a_member(client, cast):
    client.force_login(cast.coordinator)
    response = client.post(reverse("community:suspend", args=[cast.graduate.pk]), {"reason": " "})
    assert response.status_code == 200
    assert not Suspension.objects.exists()
    assert client.get(reverse("community:suspend", args=[cast.applicant.pk])).status_code == 404
    with pytest.raises(Exception, match="selbst"):
        suspend_member(member=cast.coordinator, actor=cast.coordinator, reason="x")


def test_writes_are_refused_to_readers(client, cast):
    client.force_login(cast.evaluator)
    response = client.get(reverse("community:entry_edit"))
    assert response.status_code == 403


def test_csrf_is_required(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.coordinator)
    response = client.post(reverse("community:suspend", args=[cast.graduate.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert not Suspension.objects.exists()


def test_a_second_graduate_of_another_cohort_is_a_member(cast):
    other = graduate(cast.running)
    assert access.membership(other).graduate


def test_the_network_speaks_english(client, cast):
    client.force_login(cast.graduate)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(HOME).content.decode()
    assert "You are a member as a graduate." in page and "Directory" in page
    assert "Sie sind" not in page


def test_moderators_reach_suspension_from_the_pages_and_see_who_is_suspended(client, cast):
    suspend_member(member=cast.reviewer, actor=cast.coordinator, reason="Spam")
    client.force_login(cast.coordinator)
    page = client.get(reverse("community:moderation")).content.decode()
    assert reverse("community:suspend", args=[cast.reviewer.pk]) in page
    client.force_login(cast.participant)
    assert client.get(reverse("community:moderation")).status_code == 403
