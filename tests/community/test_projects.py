"""Projects from the municipalities: describe, find, turn a task into a draft, propose, approve,
withdraw; files checked by content; nobody but the author changes a project."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from community import projects as services
from community.models import ModerationEvent, Project, ProjectFile
from modules.models import TaskSubmission
from portal.mail.models import OutboxMessage
from tests.factories import municipality

from .conftest import graduate

pytestmark = pytest.mark.django_db

LIST = reverse("community:projects")
XSS = '<script>alert("x")</script>'


def minimal_pdf() -> bytes:
    from pypdf import PdfWriter

    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(out)
    return out.getvalue()


def png(extra: bytes = b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue() + extra


def project(author, town="Potsdam", modules=(), **fields):
    return services.save_project(
        author=author,
        modules=list(modules),
        municipality=municipality(town),
        title=fields.get("title", "Sensoren im Stadtpark"),
        summary=fields.get("summary", "Wir messen Bodenfeuchte."),
        status=fields.get("status", Project.Status.PLANNING),
        tags=fields.get("tags", []),
        started_on=None,
        ended_on=None,
        lessons=fields.get("lessons", ""),
        links=fields.get("links", []),
    )


def form_data(**extra):
    return {
        "title": "Digitale Bürgerbeteiligung",
        "summary": "Beteiligung online",
        "municipality": municipality("Potsdam").pk,
        "status": "idea",
        "tags": "Beteiligung",
        "links": "https://example.org/projekt",
        **extra,
    }


def test_a_member_describes_a_project_with_files(client, cast):
    client.force_login(cast.graduate)
    response = client.post(
        reverse("community:project_new"),
        form_data(
            files=[
                SimpleUploadedFile("Plan.pdf", minimal_pdf()),
                SimpleUploadedFile("Foto.png", png()),
            ]
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Project.objects.get()
    assert saved.author == cast.graduate and saved.links == ["https://example.org/projekt"]
    assert sorted(saved.files.values_list("kind", flat=True)) == ["pdf", "png"]
    client.force_login(cast.participant)
    page = client.get(reverse("community:project", args=[saved.pk])).content.decode()
    assert "Digitale Bürgerbeteiligung" in page and "Foto.png" in page
    stored = saved.files.get(kind="png")
    download = client.get(reverse("community:project_file", args=[saved.pk, stored.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name, content",
    [
        ("bild.png", png(b"<html><script>alert(1)</script></html>")),
        ("seite.html", b"<html><script>alert(1)</script></html>"),
        ("falsch.pdf", b"<html>%PDF-1.4</html>"),
        ("archiv.png", b"PK\x03\x04" + b"\x00" * 40),
    ],
)
def test_uploads_are_judged_by_content_and_polyglots_lose_their_payload(client, cast, name, content):
    client.force_login(cast.graduate)
    response = client.post(
        reverse("community:project_new"), form_data(files=[SimpleUploadedFile(name, content)])
    )
    if name == "bild.png":
        assert response.status_code == 302
        stored = ProjectFile.objects.get()
        with stored.file.open("rb") as handle:
            assert b"<script>" not in handle.read()
    else:
        assert response.status_code == 400
        page = response.content.decode()
        assert "kein erlaubtes Format" in page
        assert "Digitale Bürgerbeteiligung" in page  # what was typed stays
        assert not Project.objects.exists()


def test_at_most_three_files(client, cast):
    saved = project(cast.graduate)
    client.force_login(cast.graduate)
    files = [SimpleUploadedFile(f"f{i}.png", png()) for i in range(4)]
    response = client.post(reverse("community:project_edit", args=[saved.pk]), form_data(files=files))
    assert response.status_code == 400
    assert "höchstens 3 Dateien" in response.content.decode()
    assert not ProjectFile.objects.exists()


def test_bad_links_and_markup_are_refused_or_escaped(client, cast):
    client.force_login(cast.graduate)
    response = client.post(reverse("community:project_new"), form_data(links="javascript:alert(1)"))
    assert response.status_code == 400
    saved = project(cast.graduate, title=XSS, summary=XSS, lessons=XSS, tags=[XSS[:40]])
    client.force_login(cast.participant)
    for url in (LIST, reverse("community:project", args=[saved.pk])):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;" in page


def test_search_by_topic_district_status_and_text(client, cast):
    other = graduate(cast.past)
    project(cast.graduate, "Potsdam", modules=[cast.modules[0]], title="Parksensoren", status="done")
    project(other, "Eberswalde", modules=[cast.modules[1]], title="Open-Data-Portal", status="idea")
    client.force_login(cast.participant)

    def titles(**query):
        page = client.get(LIST, query).content.decode()
        return {title for title in ("Parksensoren", "Open-Data-Portal") if title in page}

    assert titles() == {"Parksensoren", "Open-Data-Portal"}
    assert titles(module=cast.modules[0].pk) == {"Parksensoren"}
    assert titles(district=municipality("Eberswalde").district) == {"Open-Data-Portal"}
    assert titles(status="done") == {"Parksensoren"}
    assert titles(q="open-data") == {"Open-Data-Portal"}


def test_project_search_query_count_does_not_grow(client, cast, django_assert_num_queries):
    project(cast.graduate, modules=cast.modules[:2])
    client.force_login(cast.participant)
    client.get(LIST)
    with django_assert_num_queries(10):
        assert client.get(LIST, {"status": "planning"}).status_code == 200
    for _ in range(12):
        project(graduate(cast.past), "Cottbus", modules=cast.modules)
    with django_assert_num_queries(10):
        page = client.get(LIST, {"status": "planning"}).content.decode()
    assert page.count("community-card") == 13


def accepted_task(cast):
    enrollment = cast.participant.enrollments.get()
    submission = TaskSubmission(
        enrollment=enrollment,
        module=cast.modules[2],
        state=TaskSubmission.State.ACCEPTED,
        submitted_at=timezone.now(),
        file_name="aufgabe.pdf",
    )
    submission.file.save("aufgabe.pdf", ContentFile(minimal_pdf()), save=False)
    submission.save()
    return submission


def test_an_accepted_task_becomes_a_draft_with_one_click_by_its_author_only(client, cast):
    submission = accepted_task(cast)
    client.force_login(cast.graduate)
    url = reverse("community:project_from_task", args=[submission.pk])
    assert client.post(url).status_code == 404
    client.force_login(cast.participant)
    assert "als Projekt übernehmen" in client.get(LIST).content.decode()
    response = client.post(url)
    draft = Project.objects.get()
    assert response["Location"] == reverse("community:project_edit", args=[draft.pk])
    assert draft.draft and draft.source_task == submission and list(draft.modules.all()) == [cast.modules[2]]
    assert client.post(url).status_code == 302
    assert Project.objects.count() == 1
    client.force_login(cast.graduate)
    assert client.get(reverse("community:project", args=[draft.pk])).status_code == 404
    assert "Modul 3" not in client.get(LIST).content.decode().split("results-title")[1]


def test_propose_approve_withdraw(client, cast):
    saved = project(cast.graduate)
    public = reverse("community:public_project", args=[saved.pk])
    client.force_login(cast.graduate)
    client.post(reverse("community:project_propose", args=[saved.pk]))
    assert Project.objects.get().publication == "proposed"
    assert client.get(public).status_code == 404
    client.force_login(cast.participant)
    client.post(reverse("community:project_decide", args=[saved.pk]), {"decision": "approve"})
    assert Project.objects.get().publication == "proposed"  # members do not decide
    client.force_login(cast.coordinator)
    assert "Sensoren im Stadtpark" in client.get(reverse("community:moderation")).content.decode()
    client.post(reverse("community:project_decide", args=[saved.pk]), {"decision": "approve"})
    assert Project.objects.get().publication == "public"
    assert ModerationEvent.objects.get().action == "approve_project"
    assert OutboxMessage.objects.filter(kind="community-project", recipient=cast.graduate.email).exists()
    client.logout()
    page = client.get(public).content.decode()
    assert "Sensoren im Stadtpark" in page and cast.graduate.last_name not in page
    client.force_login(cast.graduate)
    client.post(reverse("community:project_withdraw", args=[saved.pk]))
    client.logout()
    assert client.get(public).status_code == 404


def test_declining_needs_a_reason_and_tells_the_author(client, cast):
    saved = project(cast.graduate)
    services.propose(author=cast.graduate, project=saved)
    client.force_login(cast.coordinator)
    client.post(reverse("community:project_decide", args=[saved.pk]), {"decision": "decline", "reason": ""})
    assert Project.objects.get().publication == "proposed"
    client.post(
        reverse("community:project_decide", args=[saved.pk]), {"decision": "decline", "reason": "Zu werblich"}
    )
    assert Project.objects.get().publication == "network"
    assert "Zu werblich" in OutboxMessage.objects.get(kind="community-project").body_text


def test_nobody_else_changes_a_project_and_outsiders_see_nothing(client, cast):
    saved = project(cast.graduate)
    client.force_login(cast.participant)
    for name in ("project_edit", "project_propose", "project_withdraw", "project_delete"):
        response = client.post(reverse(f"community:{name}", args=[saved.pk]), form_data())
        assert response.status_code == 404
    assert Project.objects.get().title == "Sensoren im Stadtpark"
    assert Project.objects.get().publication == "network"
    client.force_login(cast.applicant)
    assert client.get(reverse("community:project", args=[saved.pk])).status_code == 403
    client.force_login(cast.revoked)
    assert client.get(LIST).status_code == 403


def test_file_names_are_text_and_files_belong_to_their_project(client, cast):
    client.force_login(cast.graduate)
    client.post(
        reverse("community:project_new"),
        form_data(files=[SimpleUploadedFile('<img src=x onerror=alert(1)>".png', png())]),
    )
    first = Project.objects.get()
    other = project(cast.participant)
    stored = first.files.get()
    client.force_login(cast.participant)
    page = client.get(reverse("community:project", args=[first.pk])).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert client.get(reverse("community:project_file", args=[other.pk, stored.pk])).status_code == 404
    assert client.get(reverse("community:project_file", args=[first.pk, stored.pk])).status_code == 200
    client.force_login(cast.applicant)
    assert client.get(reverse("community:project_file", args=[first.pk, stored.pk])).status_code == 403
