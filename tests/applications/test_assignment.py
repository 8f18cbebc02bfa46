"""Who reviews what: balanced automatic assignment, conflicts of interest, changes by hand; all
of it audited, none of it for coordinators."""

from collections import Counter

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from applications import assignment
from applications.assignment import assign_reviewers
from applications.models import Application, Conflict, ReviewAssignment, ReviewerProfile
from portal.models import Municipality
from tests.factories import UserFactory, berlin

from .conftest import make_draft

pytestmark = pytest.mark.django_db

POTSDAM = "12054000"


def reviewer(**profile):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="reviewers"))
    if profile:
        ReviewerProfile.objects.create(user=user, **profile)
    return user


def admin():
    return UserFactory(is_staff=True, is_superuser=True)


def submitted(cohort, number, municipality):
    application = make_draft(cohort, UserFactory(), municipality=municipality)
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.SUBMITTED,
        sequence=number,
        reference=f"SCM-{cohort.number}-{number:04d}",
        submitted_at=berlin(2022, 9, 20, 12),
    )
    application.refresh_from_db()
    return application


def places():
    """Potsdam, a town in the Uckermark, one in Barnim and one in Märkisch-Oderland."""
    return [
        Municipality.objects.get(ags=POTSDAM),
        Municipality.objects.filter(district="Uckermark").exclude(ags="").first(),
        Municipality.objects.filter(district="Barnim").exclude(ags="").first(),
        Municipality.objects.filter(district="Märkisch-Oderland").exclude(ags="").first(),
    ]


def test_three_reviewers_and_forty_applications_balanced_within_one_and_never_conflicted(cohort):
    towns = places()
    from_uckermark = reviewer(district="Uckermark")
    from_potsdam = reviewer(municipality=towns[0])
    free = reviewer()
    applications = [submitted(cohort, n + 1, towns[n % 4]) for n in range(40)]

    created = assignment.assign_reviewers(cohort=cohort, by=admin())

    assert len(created) == 80
    per_application = Counter(a.application_id for a in ReviewAssignment.objects.all())
    assert set(per_application.values()) == {2} and len(per_application) == 40
    loads = Counter(a.reviewer_id for a in ReviewAssignment.objects.all())
    assert set(loads) == {from_uckermark.pk, from_potsdam.pk, free.pk}
    assert max(loads.values()) - min(loads.values()) <= 1
    pairs = set(ReviewAssignment.objects.values_list("application__municipality__district", "reviewer"))
    assert ("Uckermark", from_uckermark.pk) not in pairs
    assert not ReviewAssignment.objects.filter(
        reviewer=from_potsdam, application__municipality=towns[0]
    ).exists()
    # Running again fills nothing twice.
    assert assignment.assign_reviewers(cohort=cohort, by=None) == []
    assert ReviewAssignment.objects.count() == 80
    assert len(applications) == 40


def test_a_declared_conflict_hands_the_application_to_a_colleague_for_good(cohort):
    towns = places()
    first, second, third = reviewer(), reviewer(), reviewer()
    cohort.reviewers_per_application = 2
    cohort.save()
    application = submitted(cohort, 1, towns[2])
    assignment.assign_reviewers(cohort=cohort, by=None)
    assigned = set(application.assignments.values_list("reviewer", flat=True))
    assert assigned == {first.pk, second.pk}

    assignment.declare_conflict(application=application, reviewer=first, reason="meine Nachbarin")

    assert set(application.assignments.values_list("reviewer", flat=True)) == {second.pk, third.pk}
    assert Conflict.objects.get().reason == "meine Nachbarin"
    with pytest.raises(ValidationError, match="Interessenkonflikt"):
        assignment.assign(application=application, reviewer=first, by=admin())
    assignment.assign_reviewers(cohort=cohort, by=None)
    assert not application.assignments.filter(reviewer=first).exists()


def test_declaring_ones_own_district_hands_on_the_applications_from_there(cohort):
    towns = places()
    me, colleague, other = reviewer(), reviewer(), reviewer()
    from_barnim = submitted(cohort, 1, towns[2])
    assignment.assign_reviewers(cohort=cohort, by=None)
    assert from_barnim.assignments.filter(reviewer=me).exists()

    assignment.save_profile(reviewer=me, municipality_id=None, district="Barnim")

    assert set(from_barnim.assignments.values_list("reviewer", flat=True)) == {colleague.pk, other.pk}


def test_assignments_and_conflicts_are_in_the_audit_log(cohort):
    first, _second, _third = reviewer(), reviewer(), reviewer()
    application = submitted(cohort, 1, places()[3])
    assignment.assign_reviewers(cohort=cohort, by=None)
    assignment.declare_conflict(application=application, reviewer=first)
    logged = Counter((entry.content_type.model, entry.action) for entry in LogEntry.objects.all())
    assert logged[("reviewassignment", LogEntry.Action.CREATE)] == 3
    assert logged[("reviewassignment", LogEntry.Action.DELETE)] == 1
    assert logged[("conflict", LogEntry.Action.CREATE)] == 1


def test_coordinators_and_reviewers_neither_assign_by_hand_nor_run_the_assignment(cohort):
    application = submitted(cohort, 1, places()[3])
    colleague = reviewer()
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    for person in (coordinator, reviewer()):
        with pytest.raises(PermissionDenied):
            assignment.assign_reviewers(cohort=cohort, by=person)
        with pytest.raises(PermissionDenied):
            assignment.assign(application=application, reviewer=colleague, by=person)
        with pytest.raises(PermissionDenied):
            assignment.unassign(application=application, reviewer=colleague, by=person)
    with pytest.raises(PermissionDenied):
        assignment.declare_conflict(application=application, reviewer=coordinator)
    assert not ReviewAssignment.objects.exists()


def test_an_admin_changes_assignments_by_hand_on_the_page_never_to_a_conflicted_reviewer(client, cohort):
    from django.urls import reverse

    from .test_review_writes import ADMIN_FORM

    application = submitted(cohort, 1, places()[2])  # Barnim
    first, second = reviewer(), reviewer()
    from_barnim = reviewer(district="Barnim")
    assign_reviewers(cohort=cohort, by=None)
    boss = admin()
    client.force_login(boss)
    url = reverse("admin:applications_application_change", args=[application.pk])
    existing = list(application.assignments.order_by("pk"))
    form = {
        **ADMIN_FORM,
        "scores-TOTAL_FORMS": "0",
        "notes-TOTAL_FORMS": "0",
        "assignments-TOTAL_FORMS": "3",
        "assignments-INITIAL_FORMS": "2",
        "assignments-0-id": str(existing[0].pk),
        "assignments-0-application": str(application.pk),
        "assignments-0-reviewer": str(existing[0].reviewer_id),
        "assignments-0-DELETE": "on",
        "assignments-1-id": str(existing[1].pk),
        "assignments-1-application": str(application.pk),
        "assignments-1-reviewer": str(existing[1].reviewer_id),
        "assignments-2-application": str(application.pk),
        "assignments-2-reviewer": str(from_barnim.pk),
    }
    page = client.post(url, form).content.decode()
    assert "hat einen Interessenkonflikt mit dieser Bewerbung." in page
    assert set(application.assignments.values_list("reviewer", flat=True)) == {first.pk, second.pk}
    third = reviewer()
    response = client.post(url, {**form, "assignments-2-reviewer": str(third.pk)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(application.assignments.values_list("reviewer", flat=True)) == {
        existing[1].reviewer_id,
        third.pk,
    }
    assert application.assignments.get(reviewer=third).assigned_by == boss
