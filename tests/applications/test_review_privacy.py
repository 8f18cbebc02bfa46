"""The data-protection exports of the review: the applicant sees the requests to them and how many
reviewers were assigned, never who; a reviewer's own export holds their declaration, assignments,
conflicts and the requests they asked. Anonymising removes the requests."""

import pytest
from django.utils import timezone

from applications import privacy
from applications.assignment import assign_reviewers, declare_conflict, save_profile
from applications.models import Application, InformationRequest
from portal.models import Municipality

from .test_requests import ASKED, ask, in_review  # noqa: F401 - the fixture
from .test_workspace import colleague, submitted_many

pytestmark = pytest.mark.django_db


def test_the_applicant_sees_the_requests_but_not_the_reviewers(in_review, reviewer):  # noqa: F811
    (application,) = submitted_many(in_review, 1)
    other = colleague(first_name="Gerda", last_name="Geheim")
    assign_reviewers(cohort=in_review, by=None)
    ask(application, reviewer)
    data = privacy.export(application.applicant).data
    exported = data["applications"][0]
    assert exported["reviewers_assigned"] == 2
    assert exported["requests"][0]["message"] == "Bitte beschreiben Sie Ihre Vorhaben genauer."
    assert exported["requests"][0]["fields"] == ["motivation", "plans"]
    text = repr(data)
    for name in ("Geheim", "Gerda", reviewer.last_name, reviewer.email, other.email):
        assert name not in text
    assert "review" not in data


def test_a_reviewers_export_holds_their_own_review_work(in_review, reviewer):  # noqa: F811
    first, second = submitted_many(in_review, 2)
    colleague(), colleague()
    assign_reviewers(cohort=in_review, by=None)
    barnim = Municipality.objects.filter(district="Barnim").exclude(ags="").first()
    save_profile(reviewer=reviewer, municipality_id=barnim.pk, district="")
    declare_conflict(application=second, reviewer=reviewer, reason="Bekannte")
    ask(first, reviewer)
    review = privacy.export(reviewer).data["review"]
    assert (review["declared_municipality"], review["declared_district"]) == (str(barnim), "Barnim")
    assert [c["application"] for c in review["conflicts"]] == ["SCM-3-0002"]
    assert review["conflicts"][0]["reason"] == "Bekannte"
    assert "SCM-3-0002" not in [a["application"] for a in review["assignments"]]
    assert review["requests_asked"][0]["application"] == "SCM-3-0001"


def test_anonymising_removes_the_requests(in_review, reviewer):  # noqa: F811
    (application,) = submitted_many(in_review, 1)
    ask(application, reviewer)
    privacy.anonymise(Application.objects.filter(pk=application.pk), at=timezone.now())
    assert not InformationRequest.objects.exists()
    assert ASKED
