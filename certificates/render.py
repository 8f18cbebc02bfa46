"""The certificate as PDF/A, rendered with WeasyPrint from a Django template.

A certificate has layers (templates/certificates/certificate_pdf.html): what every certificate of
a cohort shares (programme, cohort, modules, date, signatures) and what belongs to its holder
(name, municipality, number, code, QR code). A worker renders the shared pages once, the base
beneath and the body above, and draws each holder's few lines between them, so a certificate
costs a fraction of laying out the whole page and its text still reads heading, holder,
statement. Layer "all" is the whole certificate as one document: the same picture, for
comparison and for a browser preview.
"""

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from modules.models import Module
from portal.operator import texts as operator_texts
from portal.pdf import (
    ACCESSIBLE,
    Background,
    ImageMask,
    LayoutError,
    MissingGlyphs,
    Warm,
    element_box,
    fonts,
    render_layered_pdf,
)

from . import keys
from .models import Certificate

TEMPLATE = "certificates/certificate_pdf.html"
QR_COLOR = (0x0B, 0x1F, 0x3A)
# A QR code has eight mask patterns, and every reader decodes each of them; segno would score all
# eight to pick the most even-looking one, which costs more than laying out a certificate's
# foreground. The portal uses one fixed pattern (tests read the printed code back).
QR_MASK = 2


def verification_page() -> str:
    """The address of the page that verifies certificates, as the certificate prints it."""
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{reverse('certificates:verify')}"


def verification_url(certificate: Certificate) -> str:
    """The address the QR code holds: the verification page with number and code filled in."""
    query = urlencode({"nummer": certificate.number, "code": certificate.verification_code})
    return f"{verification_page()}?{query}"


def qr_code(url: str):
    return segno.make(url, error="m", mask=QR_MASK)


def qr_svg(url: str) -> str:
    """The QR code as inline SVG markup (the URL is the only input, built by the portal), for the
    whole-page document: the code as a 1-bit PNG, one pixel per module, drawn without smoothing,
    the light modules transparent on the footer's background."""
    code = qr_code(url)
    modules = code.symbol_size(scale=1, border=0)[0]
    png = code.png_data_uri(scale=1, border=0, dark="#0b1f3a", light=None)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{modules * 3}" height="{modules * 3}" '
        f'viewBox="0 0 {modules} {modules}"><title>{escape(qr_alt(url))}</title><image width="{modules}" height="{modules}" '
        f'image-rendering="pixelated" href="{png}"/></svg>'
    )


def qr_alt(url: str) -> str:
    return gettext("QR-Code mit der Adresse der Prüfseite: %(url)s") % {"url": url}


def qr_mask(url: str) -> ImageMask:
    """The same QR code as a picture drawn straight into the PDF (the foreground's empty #qr box)."""
    return ImageMask(
        rows=tuple(tuple(bool(m) for m in row) for row in qr_code(url).matrix),
        color=QR_COLOR,
        alt=qr_alt(url),
    )


class CertificateRefused(LayoutError):
    """A certificate that cannot be printed as it should; the message tells the coordinator why."""


@dataclass(frozen=True)
class HolderType:
    """The type of the holder's lines: sizes in points, each on one line or wrapped."""

    holder: float
    municipality: float
    wrap: bool = False
    municipality_wrap: bool = False


# Tried in order until the holder's lines fit their zone: on one line, smaller and smaller down to
# 12 pt (municipality 9 pt), then wrapped (between words, unbroken strings anywhere), smaller still.
HOLDER_SIZES = (
    *((size, False) for size in (24, 21, 18, 16, 14, 12)),
    *((size, True) for size in (14, 12, 10.5, 9.5, 8.5)),
)
MUNICIPALITY_SIZES = ((11.5, False), (10, False), (9, False), (9, True), (8, True), (7.5, True))
FIRST_TYPE = HolderType(24, 11.5)  # the first candidate, and the whole page's type
EPSILON = 0.01  # CSS pixels


def _overflow(box, right: float, bottom: float) -> tuple[float, float]:
    wide = low = 0.0
    pending = [box]
    while pending:
        box = pending.pop()
        wide = max(wide, box.position_x + box.margin_width() - right)
        low = max(low, box.position_y + box.margin_height() - bottom)
        pending.extend(getattr(box, "children", ()))
    return wide, low


def holder_overflow(document) -> tuple[float, float]:
    """How far the holder's lines run past their zone to the right and below (0 where they fit)."""
    zone = element_box(document, "holder-zone")
    right, bottom = zone.content_box_x() + zone.width, zone.content_box_y() + zone.height
    parts = [_overflow(child, right, bottom) for child in zone.children]
    return max([0.0, *(wide for wide, _low in parts)]), max([0.0, *(low for _wide, low in parts)])


def fitted_foregrounds(html_for):
    """Candidate foregrounds for ``render_layered_pdf``: each is sent back laid out, and the first
    whose holder zone holds its lines is kept; a name that fits at none of the sizes is refused.
    Name and municipality shrink each on their own; a line too wide skips the sizes at which it
    would still be too wide, so a long name costs a few layouts, not a dozen."""
    holder = municipality = 0
    while holder < len(HOLDER_SIZES) and municipality < len(MUNICIPALITY_SIZES):
        holder_type = HolderType(
            *HOLDER_SIZES[holder][:1],
            *MUNICIPALITY_SIZES[municipality][:1],
            wrap=HOLDER_SIZES[holder][1],
            municipality_wrap=MUNICIPALITY_SIZES[municipality][1],
        )
        document = yield html_for(holder_type)
        zone = element_box(document, "holder-zone")
        right, bottom = zone.content_box_x() + zone.width, zone.content_box_y() + zone.height
        lines = {
            child.element.get("class", "").split()[0]: _overflow(child, right, bottom)
            for child in zone.children
        }
        holder_wide, holder_low = lines.get("holder", (0.0, 0.0))
        municipality_wide, municipality_low = lines.get("municipality", (0.0, 0.0))
        if max(holder_wide, holder_low, municipality_wide, municipality_low) <= EPSILON:
            return
        if municipality_wide > EPSILON:
            municipality += 1
        if holder_wide > EPSILON and not holder_type.wrap:
            largest = holder_type.holder * zone.width / (zone.width + holder_wide)
            holder += 1
            while (
                holder < len(HOLDER_SIZES)
                and not HOLDER_SIZES[holder][1]
                and HOLDER_SIZES[holder][0] > largest
            ):
                holder += 1
        elif holder_wide > EPSILON or (
            municipality_wide <= EPSILON and max(holder_low, municipality_low) > EPSILON
        ):
            holder += 1
    raise CertificateRefused(
        gettext("Der Name passt auch in der kleinsten Schrift nicht in das Feld des Zertifikats.")
    )


def _modules(certificate: Certificate) -> tuple[dict, ...]:
    """The programme's modules in the active language, as the certificate lists them."""
    return tuple(
        {
            "position": module.position,
            "title": module.localized_title,
            "description": module.localized_description,
        }
        for module in Module.objects.filter(programme=certificate.cohort.programme_id).order_by("position")
    )


def signatories(state: str | None = None) -> list[dict]:
    """The signatories as the certificate prints them, in the active language: those of the
    setting ``PORTAL_CERTIFICATE_SIGNATORIES`` if set, else those of the operator's texts."""
    if not settings.CERTIFICATE_SIGNATORIES:
        return operator_texts.signatories(state)
    english = translation.get_language() == "en"
    return [
        {
            "name": (english and signatory.get("name_en")) or signatory["name"],
            "function": (english and signatory.get("function_en")) or signatory.get("function", ""),
            "person": (english and signatory.get("person_en")) or signatory.get("person", ""),
        }
        for signatory in settings.CERTIFICATE_SIGNATORIES
    ]


def _state(certificate: Certificate) -> str:
    """The state of the certificate's programme, whose operator's texts it prints."""
    return certificate.cohort.programme.state


def _context(
    certificate: Certificate, *, layer: str, modules=(), holder_type: HolderType = FIRST_TYPE
) -> dict:
    own = operator_texts.texts(_state(certificate))
    return {
        "layer": layer,
        "certificate": certificate,
        "modules": modules,
        "verification_page": verification_page(),
        "qr_svg": qr_svg(verification_url(certificate)) if layer == "all" else "",
        "holder_type": holder_type,
        "signatories": signatories(_state(certificate)),
        "operator": operator_texts.operator_details(own=own),
        "operator_texts": own,
        "specimen": keys.test_seal_in_use(),
    }


def certificate_html(
    certificate: Certificate,
    language: str | None = None,
    *,
    layer: str = "all",
    holder_type: HolderType = FIRST_TYPE,
) -> str:
    """The certificate's HTML: layer "all" (the whole page), "base", "body" or "foreground"."""
    with translation.override(language or certificate.language):
        modules = _modules(certificate) if layer in ("all", "body") else ()
        return render_to_string(
            TEMPLATE, _context(certificate, layer=layer, modules=modules, holder_type=holder_type)
        )


def check_printable(certificate: Certificate) -> None:
    """Refuse a certificate whose name or municipality holds characters the shipped fonts lack."""
    missing = fonts.unprintable_characters(certificate.holder_name + certificate.municipality_name)
    if missing:
        raise CertificateRefused(
            gettext("Der Name enthält Zeichen, die nicht gedruckt werden können: %(characters)s.")
            % {"characters": fonts.describe(missing)}
        )


def _base_key(language: str, state: str) -> tuple:
    """Everything the base shows (bands, heading, the footer's colour)."""
    own = operator_texts.texts(state)
    return (
        TEMPLATE,
        "base",
        language,
        tuple(operator_texts.operator_details(own=own).items()),
        tuple(sorted(own.edited.items())),
        keys.test_seal_in_use(),
    )


def _body_key(certificate: Certificate, language: str, modules: tuple[dict, ...]) -> tuple:
    """Everything the body shows, so that a body is shared only where it is the same."""
    return (
        TEMPLATE,
        "body",
        language,
        certificate.localized_cohort_title,
        certificate.cohort_start,
        certificate.cohort_end,
        certificate.issued_on,
        verification_page(),
        tuple(tuple(module.items()) for module in modules),
        tuple(tuple(signatory.items()) for signatory in signatories(_state(certificate))),
        operator_texts.text("certificate.place", _state(certificate)),
    )


def _check_body(document) -> None:
    """The body's text (module descriptions are edited in the admin) must end above the footer:
    an absolutely placed page does not break onto a second one, it would be cut off."""
    closing, footer = element_box(document, "closing"), element_box(document, "footer")
    # WeasyPrint leaves out what lies past the page's end altogether.
    if closing is None or closing.position_y + closing.margin_height() > footer.position_y:
        raise LayoutError(
            gettext(
                "Der Text des Zertifikats passt nicht auf eine Seite. Bitte kürzen Sie die "
                "Beschreibungen der Module."
            )
        )


# Scripts that tell the language of a name (ISO 15924 script → BCP 47 language); letters that
# only some languages of the Arabic script use tell those apart. Latin, Cyrillic and others are
# written in too many languages to say.
SCRIPT_LANGUAGES = {"HEBREW": "he", "GREEK": "el", "ARMENIAN": "hy", "GEORGIAN": "ka", "ARABIC": "ar"}
ARABIC_SCRIPT_LANGUAGES = (
    ("ps", set("ټډړښږځڅېۍ")),  # Pashto
    ("ur", set("ٹڈڑںےھ")),  # Urdu
    ("fa", set("پچژگکی")),  # Persian (Dari)
)
JOINERS = ("\u200c", "\u200d")  # ZWNJ, ZWJ: shaping drops them from the glyphs


def name_language(name: str) -> str:
    """The language a name's script tells (``""`` where it does not, or for mixed scripts)."""
    import unicodedata

    scripts = {unicodedata.name(character, "").split(" ", 1)[0] for character in name if character.isalpha()}
    if len(scripts) != 1 or (script := scripts.pop()) not in SCRIPT_LANGUAGES:
        return ""
    if script == "ARABIC":
        letters = set(name)
        return next((code for code, marks in ARABIC_SCRIPT_LANGUAGES if letters & marks), "ar")
    return SCRIPT_LANGUAGES[script]


def _holder_element(document):
    """The holder's paragraph in the structure tree: the first paragraph of the first element
    the foreground adds after the base (``render_layered_pdf`` with ``lead=1``)."""
    import pikepdf

    top = document.Root.StructTreeRoot.K
    top = top[0] if isinstance(top, pikepdf.Array) else top
    zone = top.K[1]
    kids = zone.K if isinstance(zone.K, pikepdf.Array) else [zone.K]
    return next(kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == "/P")


def tag_holder_name(pdf: bytes, name: str) -> bytes:
    """The holder's name gets its own ``/Lang`` where its script tells it, and its exact text
    (``/ActualText``, with ZWNJ and ZWJ, which shaping leaves out of the glyphs) in the structure
    tree, where assistive technology and tagged-text extraction read it."""
    import io

    import pikepdf

    language = name_language(name)
    if not language and not any(joiner in name for joiner in JOINERS):
        return pdf
    with pikepdf.open(io.BytesIO(pdf)) as document:
        holder = _holder_element(document)
        if language:
            holder.Lang = pikepdf.String(language)
        holder.ActualText = pikepdf.String(name)
        out = io.BytesIO()
        document.save(out, deterministic_id=True, compress_streams=False)
    return out.getvalue()


def _warm(certificate: Certificate, language: str) -> Warm:
    """What the next certificate may reuse of this one's laid-out foreground: everything but the
    holder's lines, number and code is the same for the same language and operator (the title and
    description are the template's, in the active language)."""
    texts = {
        "holder": certificate.holder_name,
        "number": certificate.number,
        "code": certificate.verification_code,
    }
    if certificate.municipality_name:
        texts["municipality"] = certificate.municipality_name
    return Warm(
        key=(TEMPLATE, "foreground", language, tuple(sorted(texts)), tuple(settings.PORTAL_OPERATOR.items())),
        texts=texts,
        metadata={
            "title": gettext("Zertifikat Smart City Manager:in %(number)s") % {"number": certificate.number},
            "description": gettext("Zertifikat für %(name)s") % {"name": certificate.holder_name},
        },
        right="holder-zone",
    )


def render_certificate_pdf(certificate: Certificate, language: str | None = None) -> tuple[bytes, str]:
    """Tagged PDF/A-3a and PDF/UA-1 bytes and their SHA-256. Raises ``CertificateRefused`` (with a
    translated reason) for a name that cannot be printed or does not fit."""
    language = language or certificate.language
    check_printable(certificate)
    with translation.override(language):
        modules = _modules(certificate)

        def layer(name, modules=()):
            return lambda: render_to_string(TEMPLATE, _context(certificate, layer=name, modules=modules))

        def foreground(holder_type):
            return render_to_string(
                TEMPLATE, _context(certificate, layer="foreground", holder_type=holder_type)
            )

        try:
            pdf = render_layered_pdf(
                fitted_foregrounds(foreground),
                backgrounds=[
                    Background(key=_base_key(language, _state(certificate)), html=layer("base")),
                    Background(
                        key=_body_key(certificate, language, modules),
                        html=layer("body", modules),
                        above=True,  # drawn over the holder's lines, read after them
                        check=_check_body,
                    ),
                ],
                masks={"qr": qr_mask(verification_url(certificate))},
                variant=ACCESSIBLE,
                lead=1,  # the holder's lines; number, code and QR code are read after the footer's labels
                refuse_missing_glyphs=True,
                warm=_warm(certificate, language),
            )
        except MissingGlyphs as error:
            raise CertificateRefused(
                gettext("Der Name enthält Zeichen, die nicht gedruckt werden können: %(characters)s.")
                % {"characters": fonts.describe(error.characters)}
            ) from error
    pdf = tag_holder_name(pdf, certificate.holder_name)
    return pdf, hashlib.sha256(pdf).hexdigest()
