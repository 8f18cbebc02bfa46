"""Staff see in the admin only what the portal's pages show them: role × admin URL × object.

A coordinator of cohorts 3 and 4 must not list, open, delete, trace the history of, look up,
filter by or export anything of cohort 1; a reviewer (MIL, the programme's owner) sees every
cohort's submitted applications but no draft, and nothing of the coordinators' admin. The rule
lives in ``cohorts.admin_scope``.
"""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from applications.models import Application
from certificates.models import Certificate
from cohorts.admin_scope import CohortScopedAdmin
from cohorts.models import Cohort, Enrollment
from modules.models import Material, Module, Session, TaskDeadline
from portal.accounts import roles
from portal.accounts.models import User
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory, berlin

pytestmark = pytest.mark.django_db

HIDDEN, SHOWN = "hidden", "shown"
REFUSED = {403, 404}

# Where an admin's autocomplete is asked for the model: a field that points at it (any field
# does; Django answers from the target admin's queryset).
AUTOCOMPLETE_SOURCE = {
    Enrollment: ("certificates", "certificate", "enrollment"),
    Application: ("applications", "deadlineextension", "application"),
    Certificate: ("certificates", "certificate", "replaced_by"),
}


def make_cohort(number: int) -> Cohort:
    return CohortFactory(
        number=number,
        applications_open_at=berlin(2022, 8, 1, 9),
        applications_close_on=dt.date(2022, 10, 4),
        start_date=dt.date(2022, 10, 24),
        end_date=dt.date(2022, 12, 16),
    )


def objects_of(cohort: Cohort, module: Module, tag: str) -> dict:
    person = UserFactory(email=f"{tag}@example.org")
    enrollment = EnrollmentFactory(cohort=cohort, user=person, state=Enrollment.State.CONFIRMED)
    return {
        "cohort": cohort,
        "enrollment": enrollment,
        "application": Application.objects.create(
            cohort=cohort,
            applicant=person,
            status=Application.Status.SUBMITTED,
            sequence=1,
            reference=f"SCM-{cohort.number}-0001",
            submitted_at=berlin(2022, 9, 1, 10),
        ),
        "draft": Application.objects.create(
            cohort=cohort,
            applicant=UserFactory(email=f"{tag}-draft@example.org"),
            status=Application.Status.DRAFT,
            sequence=None,
            reference="",
        ),
        "session": Session.objects.create(
            cohort=cohort, module=module, starts_at=berlin(2022, 11, 1, 13), ends_at=berlin(2022, 11, 1, 15)
        ),
        "material": Material.objects.create(
            module=module, cohort=cohort, title=f"Material {tag}", link="https://x.example"
        ),
        "taskdeadline": TaskDeadline.objects.create(
            cohort=cohort, module=module, due_at=berlin(2022, 12, 1, 12)
        ),
        "certificate": Certificate.objects.create(
            enrollment=enrollment,
            cohort=cohort,
            sequence=1,
            number=f"SCM-2022-{cohort.number}-0001",
            holder_name=f"Inhaber {tag}",
            programme_title="P",
            cohort_title="C",
            cohort_start=cohort.start_date,
            cohort_end=cohort.end_date,
            issued_on=dt.date(2022, 12, 16),
            status="issued",
        ),
    }


def staff(email: str, role: str) -> User:
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def world(db):
    cohort_1, cohort_3, cohort_4 = make_cohort(1), make_cohort(3), make_cohort(4)
    module = Module.objects.create(programme=cohort_1.programme, position=1, title="Modul 1")
    coordinator = staff("koordination@example.org", roles.COORDINATORS)
    cohort_3.coordinators.add(coordinator)
    cohort_4.coordinators.add(coordinator)
    # Coordinating cohort 1 without being in the coordinators' group any more gives nothing.
    former = staff("ehemals@example.org", roles.REVIEWERS)
    former.groups.clear()
    cohort_1.coordinators.add(former)
    return {
        "coordinator": coordinator,
        "reviewer": staff("gutachterin@example.org", roles.REVIEWERS),
        "foreign": objects_of(cohort_1, module, "fremd"),
        "own": objects_of(cohort_3, module, "eigen"),
        "own_4": objects_of(cohort_4, module, "eigen4"),
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(obj, view: str, *args) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=args)


def listed(client, obj) -> bool | None:
    """Whether the changelist shows ``obj`` (None: the list itself is refused)."""
    # The reviewers' list opens on the cohort in review; "alle" lists every cohort it may.
    query = "?durchgang=alle" if isinstance(obj, Application) else ""
    response = client.get(url(obj, "changelist") + query)
    if response.status_code in REFUSED:
        return None
    assert response.status_code == 200
    return obj.pk in {row.pk for row in response.context["cl"].queryset}


def autocompleted(client, obj) -> bool | None:
    source = AUTOCOMPLETE_SOURCE.get(type(obj))
    if source is None:
        return None
    app_label, model_name, field_name = source
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name},
    )
    if response.status_code in REFUSED:
        return None
    assert response.status_code == 200
    return str(obj.pk) in {row["id"] for row in response.json()["results"]}


# role, object, what the role may do with it. Every object of cohort 1 is hidden from the
# coordinator of cohorts 3 and 4; reviewers see every cohort's submitted application (they
# decide them all), never a draft, and none of the coordinators' or certificates' rows.
CASES = [
    *[
        ("coordinator", "foreign", name, HIDDEN)
        for name in (
            "cohort",
            "enrollment",
            "application",
            "draft",
            "session",
            "material",
            "taskdeadline",
            "certificate",
        )
    ],
    *[
        ("coordinator", "own", name, SHOWN)
        for name in ("cohort", "enrollment", "session", "material", "taskdeadline")
    ],
    ("coordinator", "own", "application", HIDDEN),  # no permission: the reviewers' business
    ("coordinator", "own", "certificate", HIDDEN),  # issued on the portal's pages, not the admin
    ("reviewer", "foreign", "application", SHOWN),
    ("reviewer", "foreign", "cohort", SHOWN),
    ("reviewer", "foreign", "enrollment", SHOWN),
    *[
        ("reviewer", "foreign", name, HIDDEN)
        for name in ("draft", "session", "material", "taskdeadline", "certificate")
    ],
    ("reviewer", "own", "draft", HIDDEN),
]


@pytest.mark.parametrize(("role", "owner", "name", "expected"), CASES)
def test_admin_urls_show_only_what_the_role_may_see(world, role, owner, name, expected):
    client = signed_in(world[role])
    obj = world[owner][name]
    pages = {view: client.get(url(obj, view, obj.pk)).status_code for view in ("change", "delete", "history")}
    if expected == HIDDEN:
        assert set(pages.values()) <= REFUSED, pages
        assert not listed(client, obj)
        assert not autocompleted(client, obj)
    else:
        assert pages["change"] == 200 and pages["history"] == 200, pages
        assert pages["delete"] in REFUSED | {200}
        assert listed(client, obj)
        assert autocompleted(client, obj) in (True, None)


def test_coordinator_cannot_list_another_cohorts_enrollments_by_filter(world):
    client = signed_in(world["coordinator"])
    foreign = world["foreign"]["cohort"]
    response = client.get(
        url(foreign, "changelist").replace("cohort/", "enrollment/") + f"?cohort__id__exact={foreign.pk}"
    )
    assert response.status_code == 200
    assert {row.cohort for row in response.context["cl"].queryset} <= {
        world["own"]["cohort"],
        world["own_4"]["cohort"],
    }


@pytest.mark.parametrize("model", [Enrollment, Session, Material, TaskDeadline])
def test_cohort_filter_offers_only_the_coordinators_cohorts(world, model):
    client = signed_in(world["coordinator"])
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    assert response.status_code == 200
    offered = {
        str(choice.get("display"))
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "field_path", "") == "cohort"
        for choice in spec.choices(response.context["cl"])
    }
    assert {str(world["own"]["cohort"]), str(world["own_4"]["cohort"])} <= offered
    assert str(world["foreign"]["cohort"]) not in offered


@pytest.mark.parametrize("model", [Session, Material, TaskDeadline])
def test_forms_offer_only_the_coordinators_cohorts_and_refuse_another(world, model):
    client = signed_in(world["coordinator"])
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
    choices = set(response.context["adminform"].form.fields["cohort"].queryset)
    assert world["own"]["cohort"] in choices and world["foreign"]["cohort"] not in choices


def test_coordinator_cannot_move_their_session_into_another_cohort(world):
    session = world["own"]["session"]
    client = signed_in(world["coordinator"])
    response = client.post(
        url(session, "change", session.pk),
        {
            "cohort": world["foreign"]["cohort"].pk,
            "module": session.module_id,
            "starts_at_0": "01.11.2022",
            "starts_at_1": "13:00",
            "ends_at_0": "01.11.2022",
            "ends_at_1": "15:00",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    session.refresh_from_db()
    assert session.cohort == world["own"]["cohort"]


def test_coordinator_bulk_delete_leaves_another_cohorts_sessions(world):
    foreign = world["foreign"]["session"]
    client = signed_in(world["coordinator"])
    client.post(
        reverse("admin:modules_session_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [foreign.pk, world["own"]["session"].pk],
            "post": "yes",
        },
    )
    assert Session.objects.filter(pk=foreign.pk).exists()


EXPORT_FORM = {
    "format": "0",
    "resource": "0",
    "applicationresource_reference": "on",
    "applicationresource_email": "on",
}


def test_export_holds_what_the_list_shows(world):
    export = reverse("admin:applications_application_export") + "?durchgang=alle"
    assert signed_in(world["coordinator"]).post(export, EXPORT_FORM).status_code == 403
    response = signed_in(world["reviewer"]).post(export, EXPORT_FORM)
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    # Every cohort's submitted applications, by design; no draft of any cohort.
    assert "fremd@example.org" in content and "eigen@example.org" in content
    assert "draft@example.org" not in content


# Admins whose rows are not a cohort's: programme-wide content, reference data, or scoped by
# their own rule (the outbox: ``portal.mail.visible_mails``, tested in test_secret_mail_leaks).
NOT_PER_COHORT = {"module", "municipality", "outboxmessage", "mailtemplate", "programme"}


def test_every_admin_a_role_reaches_is_scoped():
    """A new model admin that coordinators or reviewers reach is either scoped by cohort or named
    above with its reason; otherwise this fails."""
    reachable = {
        codename.split(".")[1].split("_", 1)[1]
        for role in (roles.COORDINATORS, roles.REVIEWERS)
        for codename in roles.ROLE_PERMISSIONS[role]
    }
    for model, model_admin in admin.site._registry.items():
        name = model._meta.model_name
        has_cohort = model is Cohort or any(f.name in {"cohort", "enrollment"} for f in model._meta.fields)
        if has_cohort or (name in reachable and name not in NOT_PER_COHORT):
            assert isinstance(model_admin, CohortScopedAdmin), f"{name}: scope it (cohorts.admin_scope)"


# Session and permissions, the rows with their relations, the filters' choices, the count.
QUERIES = {Enrollment: 9, Session: 11}


@pytest.mark.parametrize("model", [Enrollment, Session])
def test_scoped_lists_cost_the_same_for_one_or_many_rows(world, model, django_assert_num_queries):
    """The scope is a subquery of the list's own statement, not a query per row."""
    client = signed_in(world["coordinator"])
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    client.get(changelist)  # the session and the permissions, loaded once per sign-in
    with django_assert_num_queries(QUERIES[model]):
        assert client.get(changelist).status_code == 200
    own = world["own"]
    for number in range(30):
        if model is Enrollment:
            EnrollmentFactory(cohort=own["cohort"])
        else:
            Session.objects.create(
                cohort=own["cohort"],
                module=own["session"].module,
                starts_at=berlin(2022, 11, 2 + number % 20, 9),
                ends_at=berlin(2022, 11, 2 + number % 20, 10),
            )
    with django_assert_num_queries(QUERIES[model]):
        response = client.get(changelist)
    assert len(response.context["cl"].result_list) > 30
