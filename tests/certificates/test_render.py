"""The certificate drawn in two layers looks exactly like the whole page rendered at once."""

import datetime as dt
import io
import threading

import pypdfium2
import pytest
import zxingcpp
from django.template.loader import render_to_string
from PIL import ImageChops
from pypdf import PdfReader

from certificates import render
from certificates.models import Certificate
from cohorts.models import Enrollment
from modules.models import Module
from portal import pdf
from portal.accounts.models import FULL_NAME_MAX_LENGTH
from portal.models import Municipality
from portal.pdf import render as pdf_render
from tests.certificates.pdf_checks import check_accessible
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db

MODULES = [
    ("Digitale Transformation und Smart City in der Stadtentwicklung", "Was die Digitalisierung bedeutet."),
    ("IT-Sicherheit", "Informationssicherheit in Kommunen."),
    ("Beteiligung und Vernetzung", "Bürger:innen und Verwaltung einbinden."),
    ("Strategieentwicklung", "Eine eigene Smart-City-Strategie."),
    ("Umsetzung und Kommunikation", "Wirksam umsetzen und vermitteln."),
]


@pytest.fixture(autouse=True)
def _fresh_layers():
    """Each test starts without backgrounds kept from other tests."""
    pdf.forget_layers()
    yield
    pdf.forget_layers()


@pytest.fixture
def cohort(db):
    cohort = CohortFactory(number=3, start_date=dt.date(2022, 10, 24), end_date=dt.date(2022, 12, 16))
    for position, (title, description) in enumerate(MODULES, start=1):
        Module.objects.create(
            programme=cohort.programme, position=position, title=title, description=description
        )
    return cohort


def certificate_for(
    cohort, holder_name="Jördis Groß-Łęcka", municipality_name="Cottbus/Chóśebuz", sequence=1
):
    """A certificate as the portal issues it (rendering needs no saved row)."""
    enrollment = EnrollmentFactory(cohort=cohort, state=Enrollment.State.CONFIRMED, user=UserFactory())
    return Certificate(
        enrollment=enrollment,
        cohort=cohort,
        sequence=sequence,
        number=f"SCM-2022-3-{sequence:04d}",
        verification_code=f"K7Q2M9X{sequence % 10}",
        language="de",
        holder_name=holder_name,
        municipality_name=municipality_name,
        programme_title=cohort.programme.title,
        cohort_title=cohort.title,
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        issued_on=dt.date(2022, 12, 16),
    )


def picture(content: bytes):
    return pypdfium2.PdfDocument(content)[0].render(scale=2).to_pil().convert("RGB")


def text(content: bytes) -> str:
    return PdfReader(io.BytesIO(content)).pages[0].extract_text()


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_layered_certificate_is_the_same_picture_as_the_whole_page(cohort, language):
    certificate = certificate_for(cohort)
    certificate.language = language
    whole = pdf.render_pdf(render.certificate_html(certificate), variant="pdf/a-3b")
    layered, _digest = render.render_certificate_pdf(certificate)

    difference = ImageChops.difference(picture(whole), picture(layered)).convert("L")
    differing = sum(difference.histogram()[33:])
    assert differing == 0, f"{differing} pixels differ, around {difference.getbbox()}"
    assert sorted(text(layered).split()) == sorted(text(whole).split())
    assert "Jördis Groß-Łęcka" in text(layered) and "Cottbus/Chóśebuz" in text(layered)


def test_the_text_reads_heading_holder_statement_as_on_the_page(cohort):
    """Software that ignores the tags follows the order of the text in the content: it stays that
    of the page although the holder's lines are drawn between two shared layers."""
    content = text(render.render_certificate_pdf(certificate_for(cohort))[0])
    order = [
        "Ministerium für Infrastruktur",
        "Zertifikat",
        "Jördis Groß-Łęcka",
        "Cottbus/Chóśebuz",
        "hat im",
        "IT-Sicherheit",
        "Potsdam, den 16.12.2022",
        "Zertifikatsnummer",
        "Scannen Sie den QR-Code",
    ]
    positions = [content.index(part) for part in order]
    assert positions == sorted(positions)


def test_the_qr_code_drawn_into_the_pdf_reads_as_the_verification_address(cohort):
    certificate = certificate_for(cohort)
    layered, _digest = render.render_certificate_pdf(certificate)
    (code,) = zxingcpp.read_barcodes(picture(layered))
    assert code.text == render.verification_url(certificate)
    assert code.text.endswith("?nummer=SCM-2022-3-0001&code=K7Q2M9X1")


def test_the_pdf_is_tagged_pdfa_and_pdfua_with_each_font_embedded_once(cohort):
    layered, _digest = render.render_certificate_pdf(certificate_for(cohort))
    check_accessible(layered)  # validator and structure checks, fonts among them
    reader = PdfReader(io.BytesIO(layered))
    assert reader.trailer["/Root"]["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    page = reader.pages[0]
    # The layers are drawn into the page's own content (tagged there), not as form XObjects.
    assert [x_object.get_object()["/Subtype"] for x_object in page["/Resources"]["/XObject"].values()] == [
        "/Image"
    ]
    fonts = sorted(
        str(font.get_object()["/BaseFont"]).split("+")[1] for font in page["/Resources"]["/Font"].values()
    )
    assert fonts == ["SCM-Sans", "SCM-Sans-Bold"]


def test_a_cohorts_certificates_share_one_background_rendered_once(cohort, monkeypatch):
    rendered = []
    original = render_to_string

    def counting(template, context=None, *args, **kwargs):
        rendered.append(context["layer"])
        return original(template, context, *args, **kwargs)

    monkeypatch.setattr(render, "render_to_string", counting)
    first = render.render_certificate_pdf(certificate_for(cohort, "Anna Braun", sequence=1))[0]
    second = render.render_certificate_pdf(certificate_for(cohort, "Bernd Kowalski", sequence=2))[0]
    # The second certificate reuses the first one's laid-out foreground with its own lines.
    assert rendered == ["foreground", "base", "body"]
    assert "Anna Braun" in text(first) and "Bernd Kowalski" in text(second)
    assert "Anna Braun" not in text(second)


def test_a_changed_module_title_renders_a_new_background(cohort):
    render.render_certificate_pdf(certificate_for(cohort, sequence=1))
    Module.objects.filter(programme=cohort.programme, position=2).update(title="Informationssicherheit")
    content = render.render_certificate_pdf(certificate_for(cohort, sequence=2))[0]
    assert "Informationssicherheit" in text(content)
    assert "IT-Sicherheit" not in text(content)
    assert len(pdf_render._renderer().layers) == 3  # one base, two bodies


def test_a_certificate_in_english_does_not_reuse_the_german_background(cohort):
    german = certificate_for(cohort, sequence=1)
    german.cohort_title_en = "Cohort 3 (Q4 2022)"
    german_text = " ".join(text(render.render_certificate_pdf(german)[0]).split())
    english = " ".join(text(render.render_certificate_pdf(german, "en")[0]).split())
    assert "Certificate" in english and "Zertifikat " not in english
    assert "Cohort 3 (Q4 2022)" in english and cohort.title not in english
    assert cohort.title in german_text and "Cohort 3" not in german_text


# The longest name and municipality the portal stores, with letters as wide as names have them.
NAME = "Wolfgang-Maximilian Ölschläger-Przybyłowicz von Wüstenhagen "
PLACE = "Schwarzheide (Oberspreewald-Lausitz), Amt Łęknica-Mużakowski "


def fitted_foreground(certificate):
    """The foreground laid out at the type ``fitted_foregrounds`` keeps, and that type's number."""
    chosen = []

    def html_for(holder_type):
        chosen.append(holder_type)
        return render_to_string(
            render.TEMPLATE, render._context(certificate, layer="foreground", holder_type=holder_type)
        )

    candidates = render.fitted_foregrounds(html_for)
    html = next(candidates)
    while True:
        document = pdf.layout_document(html)
        try:
            html = candidates.send(document)
        except StopIteration:
            return document, chosen


@pytest.mark.parametrize("name_length", [1, 30, 61, 121, FULL_NAME_MAX_LENGTH])
@pytest.mark.parametrize("place_length", [0, 120])
def test_names_of_any_accepted_length_stay_inside_the_holder_zone(cohort, name_length, place_length):
    assert Certificate._meta.get_field("holder_name").max_length == FULL_NAME_MAX_LENGTH
    assert Municipality._meta.get_field("name").max_length == 120
    certificate = certificate_for(cohort, (NAME * 6)[:name_length], (PLACE * 6)[:place_length])
    document, chosen = fitted_foreground(certificate)
    assert render.holder_overflow(document) == (0, 0)
    zone = pdf.element_box(document, "holder-zone")
    assert any(type(box).__name__ == "TextBox" for box in zone.descendants())
    if name_length <= 30:  # a usual name keeps the largest type, whatever the municipality's
        assert chosen[-1].holder == 24 and not chosen[-1].wrap
        if place_length == 0:
            assert chosen == [render.FIRST_TYPE]  # in one layout
    if name_length == FULL_NAME_MAX_LENGTH:
        assert chosen[-1].wrap and len(chosen) <= 6  # skips the one-line sizes that cannot fit


def test_the_background_keeps_the_foregrounds_places_free(cohort):
    """The holder zone lies exactly on the background's empty space, and number and code on the
    lines of their labels, whatever the background's texts."""
    document = pdf.layout_document(render.certificate_html(certificate_for(cohort)))
    space, zone = pdf.element_box(document, "holder-space"), pdf.element_box(document, "holder-zone")
    assert not list(space.descendants())[1:]
    assert (space.content_box_y(), space.height) == (zone.content_box_y(), zone.height)
    assert (space.content_box_x(), space.width) == (zone.content_box_x(), zone.width)
    labels, values = pdf.element_box(document, "labels"), pdf.element_box(document, "values")
    label_lines = [line.position_y for line in labels.children]
    value_lines = [line.position_y for line in values.children]
    assert len(value_lines) == 2 and value_lines == pytest.approx(label_lines[:2])


def test_an_element_to_draw_into_must_exist():
    html = "<html><body><p>Kein Platz</p></body></html>"
    with pytest.raises(ValueError, match="'qr'"):
        pdf.render_layered_pdf(
            html,
            backgrounds=[pdf.Background(key="test", html=lambda: html)],
            masks={"qr": pdf.ImageMask(rows=((True,),), color=(0, 0, 0))},
        )


def test_a_worker_process_loads_fonts_and_stylesheets_when_it_starts():
    from celery.signals import worker_process_init

    import config.celery  # noqa: F401  (connects the handler)

    seen = {}

    def worker_process():  # the renderer belongs to a thread: a fresh one, as in a new process
        seen["before"] = dict(pdf_render._renderer().stylesheets)
        worker_process_init.send(sender=None)
        seen["after"] = {name for name, _mtime in pdf_render._renderer().stylesheets}

    thread = threading.Thread(target=worker_process)
    thread.start()
    thread.join()
    assert seen["before"] == {}
    assert {"certificate.css", "document.css"} <= seen["after"]


@pytest.mark.parametrize("words", [60, 400])
def test_module_texts_too_long_for_the_page_fail_with_a_reason_instead_of_being_cut_off(cohort, words):
    """Module texts are edited in the admin; if they ever reach the footer, the certificate fails
    with a reason the coordinator can act on instead of losing the end of the page."""
    Module.objects.filter(programme=cohort.programme).update(description="Sehr ausführlich. " * words)
    with pytest.raises(pdf.LayoutError, match="Beschreibungen der Module"):
        render.render_certificate_pdf(certificate_for(cohort))


def test_module_texts_that_fit_render(cohort):
    Module.objects.filter(programme=cohort.programme).update(description="Ausführlich. " * 12)
    assert "Ausführlich." in text(render.render_certificate_pdf(certificate_for(cohort))[0])
