"""``seed_demo`` brings a small, lively group: ten members in four districts, five projects (two
public), three threads and two approved statements; a second run adds nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from community import access, models
from community.models import DirectoryEntry, Project, Thread
from portal.accounts.models import User
from portal.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_seed_demo_brings_a_lively_group(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    members = access.members().filter(enrollments__cohort__number__in=[1, 2]).distinct()
    assert members.count() == 10
    assert len({e.municipality.district for e in DirectoryEntry.objects.select_related("municipality")}) >= 3
    assert Project.objects.count() == 5
    assert Project.objects.filter(publication="public").count() == 2
    assert Thread.objects.count() == 3
    assert models.Testimonial.objects.filter(state="approved").count() == 2
    graduate = User.objects.get(email="teilnahme-1-01@example.org")
    assert graduate.check_password(DEMO_PASSWORD)
    client.force_login(graduate)
    assert client.get(reverse("community:directory")).status_code == 200
    client.logout()
    page = client.get(reverse("home")).content.decode()
    assert "Eindrücke von Teilnehmenden" in page
