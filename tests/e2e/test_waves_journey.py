"""The evaluation waves in the browser: a participant answers T0 before the course, the
questionnaire after a module (an instrument like the waves') and T1 with the certificate,
consenting once; the evaluator reads the pre/post comparison, the module's means on the
dashboard, and downloads the export with its codebook. Every page is checked with axe-core (see
conftest.py)."""

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from evaluation import instruments, module_instrument, services
from evaluation.models import Answer, EvaluationConsent, Invitation
from modules.models import Module, Session
from tests.e2e.test_account_journeys import log_in
from tests.evaluation.data import group_member, module_items
from tests.evaluation.waves_world import KINDS, answer, build, competencies

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"  # the factories' password


def _open(world, kind, enrollment):
    wave = world.plan[kind]
    opens = timezone.now() - dt.timedelta(days=1)
    return Invitation.objects.create(
        wave=wave, enrollment=enrollment, opens_at=opens, closes_at=opens + dt.timedelta(days=wave.open_days)
    )


def _rate(page, question: str, value: str) -> None:
    page.get_by_role("group", name=question).get_by_label(value, exact=False).first.check()


def _module_with_a_past_session(world) -> Module:
    module = Module.objects.create(programme=world.programme, position=1, title="Digitale Transformation")
    ends = timezone.now() - dt.timedelta(days=30)
    Session.objects.create(
        cohort=world.cohort, module=module, starts_at=ends - dt.timedelta(hours=2), ends_at=ends
    )
    return module


def _answer_the_module_questionnaire(page, axe, base_url, module) -> None:
    page.goto(base_url + reverse("evaluation:questionnaires"))
    axe()
    page.get_by_role("link", name="Fragebogen zu Modul 1 ausfüllen").click()
    expect(page).to_have_url(base_url + reverse("evaluation:questionnaire", args=[module.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fragebogen zu Modul 1")
    axe()
    _rate(page, "Die Inhalte wurden verständlich vermittelt.", "2 – trifft eher nicht zu")
    _rate(page, "Insgesamt bin ich mit dem Modul zufrieden.", "4 – trifft eher zu")
    page.get_by_label("Was möchten Sie uns zu diesem Modul noch mitteilen?").fill("Mehr Praxisbeispiele")
    page.get_by_role("button", name="Antworten absenden").click()
    expect(page).to_have_url(base_url + reverse("evaluation:questionnaires"))
    expect(page.get_by_role("main")).to_contain_text("Vielen Dank! Ihre Antworten sind gespeichert.")
    expect(page.get_by_role("row", name="1. Digitale Transformation")).to_contain_text("beantwortet am")
    axe()


def _others_answer_the_module_questionnaire(others, module) -> None:
    version = module_instrument.current_version()
    shown = instruments.fingerprint(version, list(version.items.order_by("position", "pk")))
    for enrollment, clarity in zip(others, [3, 4, 5], strict=True):
        services.submit_questionnaire(
            enrollment=enrollment,
            module=module,
            version=version,
            shown=shown,
            answers={"verstaendlichkeit": clarity, "gesamt": 5},
            at=timezone.now(),
        )


def test_a_participant_answers_t0_and_t1_and_the_evaluator_sees_the_change(page, axe, live_server):
    module_items()  # the questionnaire after each module, where an earlier test emptied the tables
    world = build(people=4, now=timezone.now())
    me, *others = world.enrollments
    module = _module_with_a_past_session(world)
    base_url = live_server.url
    t0, t1 = _open(world, KINDS.T0, me), _open(world, KINDS.T1, me)

    log_in(page, axe, base_url, me.user.email, PASSWORD)
    page.goto(base_url + reverse("evaluation:surveys"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Befragungen der wissenschaftlichen Begleitung")
    axe()
    page.get_by_role("row").filter(has_text="T0").get_by_role("link", name="Jetzt beantworten").click()
    expect(page).to_have_url(base_url + reverse("evaluation:survey", args=[t0.pk]))
    axe()

    first = "Beim Thema „Digitale Transformation und Smart City in der Stadtentwicklung“"
    page.get_by_role("group", name=first).get_by_label("2 – trifft eher nicht zu").check()
    page.get_by_label("Was erwarten Sie von der Qualifizierung?").fill("Austausch mit anderen Ämtern")
    page.get_by_role("button", name="Antworten absenden").click()
    # Without consent nothing is stored, and nothing typed is lost.
    expect(page.get_by_role("alert")).to_contain_text("Bitte bestätigen Sie")
    expect(page.get_by_label("Was erwarten Sie von der Qualifizierung?")).to_have_value(
        "Austausch mit anderen Ämtern"
    )
    axe()
    page.get_by_label("Ich möchte an der wissenschaftlichen Begleitung teilnehmen", exact=False).check()
    page.get_by_role("button", name="Antworten absenden").click()
    expect(page).to_have_url(base_url + reverse("evaluation:surveys"))
    expect(page.get_by_role("main")).to_contain_text("Vielen Dank! Ihre Antworten sind gespeichert.")
    axe()

    _answer_the_module_questionnaire(page, axe, base_url, module)
    mine = dict(
        Answer.objects.filter(response__enrollment=me, response__module=module).values_list(
            "item__key", "number"
        )
    )
    assert mine == {"verstaendlichkeit": 2, "gesamt": 4, "anmerkungen": None}

    # T1 asks no consent again.
    page.goto(base_url + reverse("evaluation:survey", args=[t1.pk]))
    expect(
        page.get_by_label("Ich möchte an der wissenschaftlichen Begleitung teilnehmen", exact=False)
    ).to_have_count(0)
    axe()
    page.get_by_role("group", name=first).get_by_label("4 – trifft eher zu").check()
    page.get_by_role("button", name="Antworten absenden").click()
    expect(page.get_by_role("main")).to_contain_text("Vielen Dank! Ihre Antworten sind gespeichert.")
    axe()
    stored = dict(
        Answer.objects.filter(response__invitation__enrollment=me, item__key="kompetenz_1").values_list(
            "response__invitation__wave__kind", "number"
        )
    )
    assert stored == {"t0": 2, "t1": 4}
    assert EvaluationConsent.objects.get(user=me.user).given_at is not None

    for enrollment, before, after in zip(others, [1, 2, 3], [3, 4, 5], strict=True):
        answer(_open(world, KINDS.T0, enrollment), competencies(before), at=timezone.now())
        answer(_open(world, KINDS.T1, enrollment), competencies(after), at=timezone.now())
    _others_answer_the_module_questionnaire(others, module)
    page.context.clear_cookies()
    evaluator = group_member("evaluators", first_name="Eva", last_name="Auswertung")
    log_in(page, axe, base_url, evaluator.email, PASSWORD)
    page.goto(base_url + reverse("evaluation:dashboard"))
    axe()
    means = page.get_by_role("table", name="Mittelwerte der Antworten je Modul (1 bis 5)")
    # Four answers: clarity (2 + 3 + 4 + 5) / 4, overall (4 + 5 + 5 + 5) / 4; fewer than three: no mean.
    expect(means.get_by_role("row", name="1. Digitale Transformation").get_by_role("cell")).to_have_text(
        [
            "4",
            "–weniger als 3 Antworten",
            "3,5",
            "–weniger als 3 Antworten",
            "–weniger als 3 Antworten",
            "4,8",
        ]
    )
    page.goto(base_url + reverse("evaluation:waves"))
    axe()
    table = page.get_by_role("table", name="Selbsteinschätzung der Kompetenzen (Mittelwert 1–5, Anzahl)")
    row = table.get_by_role("row").filter(has_text="Beim Thema „Digitale Transformation")
    expect(row).to_contain_text("+2,0")  # (2 + 2 + 2 + 2) / 4 pairs
    expect(page.get_by_role("img", name="Punktdiagramm", exact=False)).to_be_visible()
    with page.expect_download() as export:
        page.get_by_role("link", name="Export der Befragungswellen herunterladen (ZIP)").click()
    with zipfile.ZipFile(Path(export.value.path())) as archive:
        assert "codebook.md" in archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    # three people with five competencies in two waves; mine: one competency twice and the expectation
    assert manifest["files"]["long.csv"]["rows"] == 3 * 2 * 5 + 3
