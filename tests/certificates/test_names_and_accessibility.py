# ruff: noqa: F811 (the fixtures are shared with test_certificates)
"""Certificates for the names real people have: printed with the shipped fonts only, inside their
zone, tagged for PDF/UA-1 and PDF/A-3a, checked by a validator; names that cannot print are
refused with the characters named, and never block the rest of a cohort."""

import io
from pathlib import Path

import pypdfium2
import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from pypdf import PdfReader

from certificates import render, services
from certificates.models import Certificate
from portal import pdf
from portal.pdf import fonts
from portal.pdf import render as pdf_render
from tests.certificates.pdf_checks import check_accessible, structure
from tests.certificates.test_certificates import cohort, coordinator, graduate  # noqa: F401
from tests.certificates.test_render import certificate_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # points
WIDE = "W" * 30
UNBROKEN = "X" * 100
LONGEST = "Ŵ" * 150 + " " + "M" * 150  # the longest name sign-up accepts, of wide capitals
WORDS = ("MAXIMILIANE-WILHELMINA " * 14)[:301].strip()
NAMES = {
    "german": "Jördis Groß-Łęcka",
    "vietnamese": "Nguyễn Thị Minh Khai",
    "greek": "Παναγιώτης Αλεξανδρόπουλος",
    "cyrillic": "Олександра Шевченко-Ковальчук",
    "arabic": "مريم عبد الرحمن الحسيني",
    "persian": "پریسا ژیان‌پور",
    "hebrew": "אברהם בן־דוד כהן",
    "armenian": "Անահիտ Պետրոսյան",
    "georgian": "ნინო ბერიძე",
    "wide capitals": WIDE,
    "unbroken": UNBROKEN,
    "longest": LONGEST,
    "many words": WORDS,
}


@pytest.fixture(autouse=True)
def _fresh_layers():
    pdf.forget_layers()
    yield
    pdf.forget_layers()


MUNICIPALITY = "Cottbus/Chóśebuz"
SPECIMEN = {"de": "Muster – ohne Gültigkeit", "en": "Specimen – not valid"}


def holder_boxes_and_statement_top(content: bytes):
    """The boxes (points, origin bottom left) of the holder's characters (name and municipality,
    drawn after the heading's last word), the top of the statement, and the page's size."""
    page = pypdfium2.PdfDocument(content)[0]
    text = page.get_textpage()
    everything = text.get_text_range()
    boxes = [text.get_charbox(index) for index in range(text.count_chars())]
    municipality = everything.index(MUNICIPALITY)
    start = everything.rindex("Brandenburg", 0, municipality) + len("Brandenburg")
    for specimen in SPECIMEN.values():  # the test seal's marking is read after the heading
        if specimen in everything[start:municipality]:
            start = everything.index(specimen, start) + len(specimen)
    end = municipality + len(MUNICIPALITY)
    statement = everything.index("hat im" if "hat im" in everything else "has successfully")
    holder = [box for index, box in enumerate(boxes[start:end], start) if not everything[index].isspace()]
    return holder, boxes[statement][3], page.get_size()


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("kind", list(NAMES))
def test_every_name_prints_inside_its_zone_as_an_accessible_pdfa(cohort, kind, language):
    name = NAMES[kind]
    certificate = certificate_for(cohort, holder_name=name, municipality_name=MUNICIPALITY)
    certificate.language = language
    content, _digest = render.render_certificate_pdf(certificate)

    check_accessible(content)
    # The name is all there (no character lost) ...
    extracted = "".join(PdfReader(io.BytesIO(content)).pages[0].extract_text().split())
    if kind not in ("arabic", "persian", "hebrew"):  # extraction reorders right-to-left text
        assert "".join(name.split()) in extracted
    # ... and inside the holder zone: between the page's margins, below the heading, above the
    # statement, which the municipality (after the name) does not reach either.
    holder_boxes, statement_top, (width, height) = holder_boxes_and_statement_top(content)
    assert len(holder_boxes) >= len("".join(MUNICIPALITY.split())) + 1
    zone_top = height - (18 + 50) * MM
    for left, bottom, right, top in holder_boxes:
        # (a glyph's ink may overhang its advance a little, as Persian dots do)
        assert left >= 22 * MM - 1.5 and right <= width - 22 * MM + 1.5, (left, right)
        # (stacked accents, as in Vietnamese, may reach a little above the line's box)
        assert top <= zone_top + 4 and bottom >= statement_top, (top, bottom, statement_top)


def test_the_structure_reads_heading_holder_statement_footer_then_number_and_qr(cohort):
    content, _digest = render.render_certificate_pdf(certificate_for(cohort))
    _pdf, document, elements = structure(content)
    top = list(document.K)
    assert [kid.S for kid in top] == ["/Div", "/Div", "/Div", "/P", "/Figure"]
    base, holder, body, _values, figure = top
    order = [element.objgen for element, _depth in elements]
    (heading,) = [element for element, _depth in elements if element.S == "/H1"]
    assert order.index(base.objgen) < order.index(heading.objgen) < order.index(holder.objgen)
    assert [kid.S for kid in holder.K] == ["/P", "/P"]
    assert "/L" in [kid.S for kid in body.K]  # the modules, as a list
    assert str(figure.Alt).startswith("QR-Code mit der Adresse der Prüfseite: http")
    assert "nummer=SCM-2022-3-0001" in str(figure.Alt)
    assert str(_pdf.Root.Lang) == "de"


def test_a_layered_certificate_is_about_the_size_of_a_plain_render(cohort):
    certificate = certificate_for(cohort)
    layered, _digest = render.render_certificate_pdf(certificate)
    whole = pdf.render_pdf(render.certificate_html(certificate), variant=pdf.ACCESSIBLE)
    check_accessible(whole)
    assert len(layered) <= 1.15 * len(whole), (len(layered), len(whole))


@pytest.mark.parametrize(
    "name, characters",
    [
        ("Anna 😀 Schmidt", ["😀"]),
        ("王 小明", ["王", "小", "明"]),
        ("Zoë ❤️", ["❤", "\ufe0f"]),
    ],
)
def test_a_name_the_fonts_cannot_print_is_refused_naming_its_characters(cohort, name, characters):
    assert fonts.unprintable_characters(name) == characters
    with pytest.raises(render.CertificateRefused) as refused:
        render.render_certificate_pdf(certificate_for(cohort, holder_name=name))
    for character in characters:
        assert f"„{character}“ (U+{ord(character):04X})" in str(refused.value)


def test_a_glyph_missing_at_render_time_fails_instead_of_printing_notdef(cohort, monkeypatch):
    """The check before rendering and the fonts could disagree; the render itself refuses too."""
    monkeypatch.setattr(render, "check_printable", lambda certificate: None)
    with pytest.raises(render.CertificateRefused, match="U\\+1F600"):
        render.render_certificate_pdf(certificate_for(cohort, holder_name="Anna 😀"))


def test_a_name_that_fits_at_no_size_is_refused_instead_of_overflowing(cohort, monkeypatch):
    monkeypatch.setattr(render, "HOLDER_SIZES", ((24, False),))
    with pytest.raises(render.CertificateRefused, match="kleinsten Schrift"):
        render.render_certificate_pdf(certificate_for(cohort, holder_name=UNBROKEN))


def test_the_host_fonts_are_not_seen_by_the_renderer():
    """The renderer's fontconfig knows no font folder: only the stylesheets' @font-face fonts."""
    from weasyprint.text.ffi import ffi, fontconfig

    renderer = pdf_render._renderer()
    config = renderer.font_config._config
    fonts_set = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
    assert fonts_set == ffi.NULL or fonts_set.nfont == 0


@pytest.mark.parametrize("language, expected", [("de", "Programmleitung"), ("en", "Programme management")])
def test_signatories_print_in_the_certificates_language(cohort, language, expected):
    certificate = certificate_for(cohort)
    certificate.language = language
    content, _digest = render.render_certificate_pdf(certificate)
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert expected in text
    other = "Programme management" if language == "de" else "Programmleitung"
    assert other not in text


# --- issuing a cohort ------------------------------------------------------------------------


def test_one_unprintable_name_does_not_block_the_cohort(
    cohort,
    coordinator,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path
    graduate(cohort, coordinator, first_name="Anna", last_name="Schmidt")
    graduate(cohort, coordinator, first_name="Kenji 😀", last_name="王")
    graduate(cohort, coordinator, first_name="Ŵ" * 150, last_name="M" * 150)
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())

    by_name = {certificate.holder_name: Certificate.objects.get(pk=certificate.pk) for certificate in issued}
    assert len(by_name) == 3
    refused = by_name["Kenji 😀 王"]
    assert refused.status == Certificate.Status.FAILED and not refused.pdf
    assert "„😀“ (U+1F600)" in refused.render_error and "„王“ (U+738B)" in refused.render_error
    for name in ("Anna Schmidt", "Ŵ" * 150 + " " + "M" * 150):
        assert by_name[name].status == Certificate.Status.ISSUED
        check_accessible(by_name[name].pdf.read())


def test_a_refusal_at_render_time_fails_at_once_with_its_reason(
    cohort,
    coordinator,
    monkeypatch,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path
    graduate(cohort, coordinator, first_name="Anna", last_name="Schmidt")
    monkeypatch.setattr(render, "HOLDER_SIZES", ((90, False),))
    with django_capture_on_commit_callbacks(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    assert "kleinsten Schrift" in certificate.render_error


def test_the_coordinator_sees_the_reason(client, cohort, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    graduate(cohort, coordinator, first_name="Kenji 😀", last_name="Tanaka")
    services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())
    client.force_login(coordinator)
    page = client.get(f"/koordination/{cohort.pk}/zertifikate/")
    assert page.status_code == 200
    assert "„😀“ (U+1F600)" in page.content.decode()


def test_a_reissue_after_the_name_was_corrected_issues(
    cohort,
    coordinator,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path
    enrollment = graduate(cohort, coordinator, first_name="Kenji 😀", last_name="Tanaka")
    (failed,) = services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())
    enrollment.user.first_name = "Kenji"
    enrollment.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        new = services.reissue(
            certificate=failed, reason="Name korrigiert", by=coordinator, at=timezone.now()
        )
    new.refresh_from_db()
    assert new.status == Certificate.Status.ISSUED and new.holder_name == "Kenji Tanaka"
    check_accessible(new.pdf.read())


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_issues_the_cohort_and_reports_the_impossible_name(
    cohort, coordinator, settings, tmp_path
):
    import time

    from celery.contrib.testing.worker import start_worker
    from django.db import connection

    from config.celery import app

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    graduate(cohort, coordinator, first_name="Anna", last_name="Schmidt")
    graduate(cohort, coordinator, first_name="Kenji 😀", last_name="王")
    graduate(cohort, coordinator, first_name="W" * 150, last_name="M" * 150)  # 301 characters
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=30):
            services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())
            for _ in range(600):
                if not Certificate.objects.filter(status=Certificate.Status.PENDING).exists():
                    break
                time.sleep(0.1)
    finally:
        app.conf.task_always_eager = True
    statuses = dict(Certificate.objects.values_list("holder_name", "status"))
    assert statuses == {
        "Anna Schmidt": "issued",
        "Kenji 😀 王": "failed",
        "W" * 150 + " " + "M" * 150: "issued",
    }
    refused = Certificate.objects.get(status="failed")
    assert "U+1F600" in refused.render_error
    for certificate in Certificate.objects.filter(status="issued"):
        check_accessible(certificate.pdf.read())


# --- sign-up, profile, course page -------------------------------------------------------------


def test_signup_refuses_a_name_that_cannot_be_printed_naming_the_characters():
    from portal.accounts.forms import SignupForm

    form = SignupForm(data={"first_name": "Anna 😀", "last_name": "Schmidt"})
    assert not form.is_valid()
    assert "„😀“ (U+1F600)" in form.errors["first_name"][0]
    assert SignupForm(data={"first_name": "Nguyễn Thị", "last_name": "الحسيني"}).is_valid()
    too_long = SignupForm(data={"first_name": "A" * 151, "last_name": "B"})
    assert not too_long.is_valid() and "first_name" in too_long.errors


def test_the_profile_corrects_the_name_and_refuses_unprintable_ones(client):
    user = UserFactory(first_name="Kenji 😀", last_name="Tanaka")
    client.force_login(user)
    answer = client.post(
        "/konto/einstellungen/", {"first_name": "Kenji 王", "last_name": "Tanaka", "language": "de"}
    )
    assert answer.status_code == 200
    assert "„王“ (U+738B)" in answer.content.decode()
    assert 'value="Kenji 王"' in answer.content.decode()  # nothing typed is lost
    client.post("/konto/einstellungen/", {"first_name": "Kenji", "last_name": "Tanaka", "language": "de"})
    user.refresh_from_db()
    assert user.get_full_name() == "Kenji Tanaka"


def test_the_course_page_shows_the_name_as_the_certificate_prints_it(client, cohort, coordinator):
    enrollment = graduate(cohort, coordinator, first_name="Jördis", last_name="Groß-Łęcka")
    client.force_login(enrollment.user)
    page = client.get("/kurs/").content.decode()
    assert "So steht Ihr Name auf dem Zertifikat" in page
    assert '<p class="holder-preview__name">Jördis Groß-Łęcka</p>' in page
    assert "nicht gedruckt werden" not in page
    assert 'href="/konto/einstellungen/"' in page
    # The preview is in the certificate's fonts, served with the portal's static files.
    css = (Path(django_settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()
    assert "url(../pdf/fonts/SCMSans-Bold.ttf)" in css and ".holder-preview" in css


def test_the_course_page_warns_of_characters_that_would_not_print(client, cohort, coordinator):
    enrollment = graduate(cohort, coordinator, first_name="Kenji 😀", last_name="Tanaka")
    client.force_login(enrollment.user)
    page = client.get("/kurs/").content.decode()
    assert "Diese Zeichen können im Zertifikat nicht gedruckt werden: „😀“ (U+1F600)" in page


def test_once_issued_the_course_page_offers_the_certificate_instead(
    client, cohort, coordinator, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    enrollment = graduate(cohort, coordinator, first_name="Anna", last_name="Schmidt")
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())
    client.force_login(enrollment.user)
    page = client.get("/kurs/").content.decode()
    assert "So steht Ihr Name auf dem Zertifikat" not in page
    assert "Zertifikat herunterladen (PDF)" in page
