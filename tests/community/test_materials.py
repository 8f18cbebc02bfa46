"""Materials of every cohort, through the permission-checked download, unless kept to one cohort."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cohorts.models import Enrollment
from modules.models import Material
from tests.factories import CohortFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db


def material(module, cohort, title, *, own_only=False):
    item = Material(
        module=module, cohort=cohort, title=title, own_cohort_only=own_only, file_name=f"{title}.pdf"
    )
    item.file.save("m.pdf", ContentFile(b"%PDF-1.4 " + title.encode()), save=False)
    item.save()
    return item


def test_members_read_every_cohorts_materials_but_not_those_kept_to_a_cohort(client, cast):
    shared = material(cast.modules[0], cast.running, "Folien Durchgang 7")
    kept = material(cast.modules[0], cast.running, "Interne Liste", own_only=True)
    general = material(cast.modules[1], None, "Leitfaden")
    client.force_login(cast.graduate)  # graduated in another cohort
    page = client.get(reverse("community:materials")).content.decode()
    assert "Folien Durchgang 7" in page and "Leitfaden" in page and "Interne Liste" not in page
    download = client.get(reverse("community:material", args=[shared.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"
    assert client.get(reverse("community:material", args=[kept.pk])).status_code == 404
    assert client.get(reverse("community:material", args=[general.pk])).status_code == 200
    client.force_login(cast.participant)  # of the running cohort: sees its own cohort's
    assert client.get(reverse("community:material", args=[kept.pk])).status_code == 200


def test_outsiders_and_revoked_graduates_get_no_material(client, cast):
    shared = material(cast.modules[0], cast.running, "Folien")
    for who in (cast.applicant, cast.revoked):
        client.force_login(who)
        assert client.get(reverse("community:material", args=[shared.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("community:material", args=[shared.pk])).status_code == 302


def test_materials_page_query_count_is_flat(client, cast, django_assert_num_queries):
    material(cast.modules[0], cast.running, "A")
    client.force_login(cast.graduate)
    client.get(reverse("community:materials"))
    with django_assert_num_queries(4):
        client.get(reverse("community:materials"))
    for number in range(5):
        cohort = CohortFactory()
        EnrollmentFactory(cohort=cohort, state=Enrollment.State.CONFIRMED)
        for module in cast.modules:
            material(module, cohort, f"M{number}-{module.position}")
    with django_assert_num_queries(4):
        page = client.get(reverse("community:materials")).content.decode()
    assert len(re.findall(r"/netzwerk/materialien/\d+/", page)) == 26
