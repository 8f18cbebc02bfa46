"""Every URL that takes an object id refuses someone else's object (404 or 403)."""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from applications.models import InformationRequest
from certificates.models import Certificate
from cohorts.models import Enrollment
from modules.models import Material, Module, Session, TaskSubmission
from tests.applications.conftest import make_draft
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory, berlin

pytestmark = pytest.mark.django_db

OUR_NAMESPACES = {"applications", "modules", "certificates", "evaluation", "privacy", "portal", "exports"}


def object_urls(resolver=None, namespace=""):
    """(name, kwarg names) of every URL pattern of ours that takes a number."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            child = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from object_urls(entry, child)
        elif isinstance(entry, URLPattern) and entry.name:
            ids = [name for name, conv in entry.pattern.converters.items() if isinstance(conv, IntConverter)]
            if namespace.split(":")[0] in OUR_NAMESPACES and ids:
                yield f"{namespace}:{entry.name}", sorted(ids)


@pytest.fixture
def foreign(db, settings, tmp_path):
    """Objects that belong to someone else: an application, a cohort with its course, a certificate."""
    settings.MEDIA_ROOT = tmp_path
    owner = UserFactory()
    cohort = CohortFactory(
        applications_open_at=berlin(2022, 8, 1),
        applications_close_on=dt.date(2022, 10, 4),
        start_date=dt.date(2022, 10, 24),
        end_date=dt.date(2022, 12, 16),
    )
    application = make_draft(cohort, owner)
    enrollment = EnrollmentFactory(cohort=cohort, user=owner, state=Enrollment.State.CONFIRMED)
    module = Module.objects.create(programme=cohort.programme, position=1, title="Modul")
    session = Session.objects.create(
        cohort=cohort, module=module, starts_at=berlin(2022, 11, 1, 13), ends_at=berlin(2022, 11, 1, 15)
    )
    material = Material.objects.create(
        module=module, cohort=cohort, title="Intern", file="private/m.pdf", file_name="m.pdf"
    )
    submission = TaskSubmission.objects.create(
        enrollment=enrollment,
        module=module,
        file="private/t.pdf",
        file_name="t.pdf",
        submitted_at=berlin(2022, 11, 2),
    )
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        cohort=cohort,
        sequence=1,
        number="SCM-2022-1-0001",
        holder_name="X",
        programme_title="P",
        cohort_title="C",
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        issued_on=dt.date(2022, 12, 16),
        status="issued",
        pdf="private/c.pdf",
        credential_jwt="e30.e30.c2lnbmF0dXJl",  # served to its owner as it is stored
    )
    from evaluation.models import Invitation
    from evaluation.waves import ensure_plan

    (t0, *_later) = ensure_plan(programme=cohort.programme)
    invitation = Invitation.objects.create(
        wave=t0, enrollment=enrollment, opens_at=berlin(2022, 9, 1), closes_at=berlin(2099, 1, 1)
    )
    from django.utils import timezone

    from portal.exports.models import ExportJob

    export = ExportJob.objects.create(
        owner=UserFactory(is_staff=True),
        model_label="applications.Application",
        permission="applications.view_application",
        object_ids=[application.pk],
        file_format="csv",
        filename="bewerbungen.csv",
        status="done",
        file="private/exports/e.csv",
        created_at=timezone.now(),
    )
    information_request = InformationRequest.objects.create(
        application=application,
        asked_by=UserFactory(is_staff=True),
        fields=["motivation"],
        message="Bitte ergänzen",
        due_on=dt.date(2099, 1, 1),
    )
    return {
        "information_request": information_request.pk,
        "invitation": invitation.pk,
        "export": export.pk,
        "application": application.pk,
        "cohort": cohort.pk,
        "cohort_number": cohort.number,
        "module": module.pk,
        "session": session.pk,
        "material": material.pk,
        "submission": submission.pk,
        "certificate": certificate.pk,
        "enrollment": enrollment.pk,
    }


# Which object each URL's id names. A new URL with an id must be added here, or the sweep fails.
TARGETS = {
    "applications:detail": "application",
    "applications:edit": "application",
    "applications:review": "application",
    "applications:withdraw": "application",
    "applications:apply_again": "application",
    "applications:offer": "application",
    "applications:endorsement": "application",
    "applications:pdf": "application",
    "applications:answer_request": "information_request",
    "applications:start_for_cohort": "cohort_number",
    "modules:material": "material",
    "modules:task_upload": "module",
    "modules:submission_file": "submission",
    "modules:progress": "cohort",
    "modules:progress_csv": "cohort",
    "modules:schedule": "cohort",
    "modules:attendance": "session",
    "modules:review_submission": "submission",
    "certificates:download": "certificate",
    "certificates:cohort": "cohort",
    "certificates:issue": "cohort",
    "certificates:progress": "cohort",
    "certificates:revoke": "certificate",
    "certificates:start_again": "certificate",
    "exports:status": "export",
    "exports:download": "export",
    "exports:progress": "export",
    "certificates:request_translation": "certificate",
    "certificates:request_second_copy": "certificate",
    "certificates:credential_jwt": "certificate",
    "certificates:credential_json": "certificate",
    "evaluation:questionnaire": "module",
    "evaluation:survey": "invitation",
    "applications:submitted": "application",
    "evaluation:withdraw": "programme",
    "evaluation:stop_invitations": "programme",
}
# Ids of things that are not anyone's own: a cohort number and the programme's modules are public
# programme content; these pages act on the visitor's own application, upload, questionnaire or
# consent to the evaluation of a programme.
OWN_INSTEAD = {
    "applications:start_for_cohort",
    "modules:task_upload",
    "evaluation:questionnaire",
    "evaluation:withdraw",
    "evaluation:stop_invitations",
}


def test_every_object_url_is_in_the_sweep():
    names = {name for name, _kwargs in object_urls()}
    assert names - set(TARGETS) == set(), "add the new URL to TARGETS"


@pytest.mark.parametrize("method", ["get", "post"])
def test_foreign_ids_are_refused_everywhere(client, foreign, method):
    intruder = UserFactory()
    EnrollmentFactory(cohort=CohortFactory(), user=intruder, state=Enrollment.State.CONFIRMED)
    client.force_login(intruder)
    checked = 0
    for name, kwargs in object_urls():
        target = TARGETS.get(name)
        if target is None or name in OWN_INSTEAD:
            continue
        (kwarg,) = kwargs
        url = reverse(name, kwargs={kwarg: foreign[target]})
        response = getattr(client, method)(url)
        assert response.status_code in {403, 404, 405}, (
            f"{method.upper()} {url} answered {response.status_code}"
        )
        if response.status_code == 405:
            assert method == "get"
        checked += 1
    assert checked >= 17
    # Nothing of the owner's changed.
    assert Certificate.objects.get().status == "issued"
    assert TaskSubmission.objects.get().state == "submitted"
