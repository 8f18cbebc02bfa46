"""The deadline-rush benchmark tells a refusal by the text of the deadline error: it must find it
in both forms the service writes (the cohort's end, and an extension's own end)."""

import datetime as dt

import pytest
from django.utils import translation

from applications.models import DeadlineExtension
from applications.rules import closed_reason
from tests.bench.rush import CLOSED_MESSAGE
from tests.factories import UserFactory, berlin

from .conftest import make_draft

pytestmark = pytest.mark.django_db


def test_the_rush_recognises_both_refusals(cohort, applicant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = make_draft(cohort, applicant)
    with translation.override("de"):
        plain = closed_reason(cohort=cohort, application=application)
        DeadlineExtension.objects.create(
            application=application,
            until=berlin(2022, 10, 6, 14, 30),
            reason="Krank",
            granted_by=UserFactory(),
        )
        application.refresh_from_db()
        extended = closed_reason(cohort=cohort, application=application)
    assert plain.endswith("am 04.10.2022 um 24:00 Uhr abgelaufen.")
    assert extended.endswith("am 06.10.2022 um 14:30 Uhr abgelaufen.")
    assert CLOSED_MESSAGE.decode() in plain and CLOSED_MESSAGE.decode() in extended
    assert cohort.applications_close_on == dt.date(2022, 10, 4)
