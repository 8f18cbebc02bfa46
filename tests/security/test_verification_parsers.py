"""Every parser behind the public verification page is bounded: a corpus of malformed PDFs,
JSON and tokens, generated here, gets the page's "not genuine" verdict, never a server error,
each within a second.

The bound on time is generous on purpose (a certificate's own check takes a fraction of it); it
catches parsers that walk a file's claims (a billion cross-reference entries) or recurse through
it (200,000 nested arrays, 4,000 nested form fields), not a slow machine."""

import base64
import io
import json
import random
import time

import pikepdf
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certificates import bounds, openbadges
from certificates.selectors import Verdict
from tests.certificates import test_certificates as base
from tests.certificates.test_openbadges import issued, signing_key  # noqa: F401

pytestmark = pytest.mark.django_db
cohort, coordinator = base.cohort, base.coordinator
SECOND = 1.0


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True, scope="module")
def _warm_worker():
    """A serving process has the seal's validator loaded; its first import is not the parser."""
    import pyhanko.pdf_utils.reader  # noqa: F401
    import pyhanko.sign.validation  # noqa: F401


@pytest.fixture(autouse=True)
def _warm_page(client):
    """A serving process has its URLs, templates and PDF libraries loaded: one small PDF and one
    small credential have been checked before the corpus is timed."""
    for content in (build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", *PAGE]), b"{}"):
        cache.clear()
        client.post(reverse("certificates:verify"), {"datei": SimpleUploadedFile("x", content)})


def build_pdf(objects: list[bytes], *, root: int = 1, xref: bytes | None = None) -> bytes:
    """A PDF of numbered objects (1, 2, …) with a correct cross-reference table, or ``xref``."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    if xref is None:
        xref = b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        xref += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += xref + b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        start,
    )
    return bytes(out)


PAGE = [
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
]


def nested_fields(depth: int) -> bytes:
    """A form whose fields nest ``depth`` deep through /Kids, a signature field at the bottom."""
    first = 4
    fields = [b"<< /T (f%d) /Kids [%d 0 R] >>" % (level, first + level + 1) for level in range(depth - 1)]
    fields.append(b"<< /FT /Sig /T (Siegel) /V << /Type /Sig /ByteRange [0 1 2 3] /Contents <00> >> >>")
    catalog = b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%d 0 R] >> >>" % first
    return build_pdf([catalog, *PAGE, *fields])


def looping_fields() -> bytes:
    catalog = b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>"
    return build_pdf([catalog, *PAGE, b"<< /T (a) /Kids [5 0 R] >>", b"<< /T (b) /Kids [4 0 R] >>"])


def deep(opening: bytes, closing: bytes, depth: int) -> bytes:
    catalog = b"<< /Type /Catalog /Pages 2 0 R /Tiefe %s >>" % (opening * depth + closing * depth)
    return build_pdf([catalog, *PAGE])


def huge_xref() -> bytes:
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    return build_pdf([catalog, *PAGE], xref=b"xref\n0 999999999\n0000000000 65535 f \n")


def token(header, payload, signature: str = "c2ln") -> str:
    def part(value) -> str:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}.{signature}"


DEEP_JSON = "[" * 3000 + "]" * 3000  # 6 KB
CORPUS = {
    "pdf: arrays 200,000 deep": lambda: deep(b"[", b"]", 200_000),
    "pdf: dictionaries 100,000 deep": lambda: deep(b"<< /A ", b">>", 100_000),
    "pdf: 4,000 nested /Kids": lambda: nested_fields(4000),
    "pdf: /Kids in a loop": looping_fields,
    "pdf: xref 0 999999999": huge_xref,
    "pdf: only a header": lambda: b"%PDF-1.7\n",
    "pdf: a name /stream before deep arrays": lambda: deep(b"/stream [", b"]", 100_000),
    "pdf: unbalanced strings": lambda: b"%PDF-1.7\n1 0 obj\n" + b"(" * 100_000 + b"\nendobj\n",
    "pdf: stream without end": lambda: b"%PDF-1.7\n1 0 obj\n<< /Length 999999 >>\nstream\n" + b"\0" * 1000,
    "pdf: random bytes": lambda: b"%PDF-1.7\n" + random.Random(25).randbytes(200_000),
    "json: arrays 3,000 deep": lambda: DEEP_JSON.encode(),
    "json: objects 3,000 deep": lambda: ('{"id":' * 3000 + "1" + "}" * 3000).encode(),
    "json: a list": lambda: b'{"id": ["urn:uuid:1"]}',
    "json: not utf-8": lambda: b"{\xff\xfe}",
    "jwt: header 3,000 deep": lambda: token(DEEP_JSON.encode(), {"iss": "x"}).encode(),
    "jwt: payload 3,000 deep": lambda: token({"alg": "RS256"}, DEEP_JSON.encode()).encode(),
    "jwt: header a list": lambda: token([1, 2], {}).encode(),
    "jwt: kid a dictionary": lambda: token({"alg": "RS256", "kid": {"a": 1}}, {}).encode(),
    "jwt: four parts": lambda: b"a.b.c.d",
    "jwt: not base64": lambda: b"!!!.???.###",
    "jwt: 300 KB": lambda: ("a" * 300_000 + ".b.c").encode(),
}


def post(client, content: bytes):
    cache.clear()  # the corpus is one client: the page's rate limit is not what is tested here
    started = time.perf_counter()
    response = client.post(reverse("certificates:verify"), {"datei": SimpleUploadedFile("x", content)})
    return response, time.perf_counter() - started


@pytest.mark.parametrize("case", list(CORPUS))
def test_malformed_input_is_not_genuine_within_a_second(client, case):
    response, seconds = post(client, CORPUS[case]())
    assert response.status_code == 200
    assert seconds < SECOND, f"{case}: {seconds:.2f} s"
    result = response.context["pdf_result"]
    assert result.verdict == Verdict.REFUSED and not result.genuine
    assert "Die Datei ist nicht echt oder wurde verändert." in response.content.decode()


def test_the_bounds_refuse_the_corpus_before_parsing_and_pass_what_the_portal_writes(issued):  # noqa: F811
    assert not bounds.pdf_nesting_within(CORPUS["pdf: arrays 200,000 deep"]())
    assert not bounds.json_nesting_within(DEEP_JSON)
    # Stream data, strings and comments are skipped as a reader skips them, and nothing else is.
    assert bounds.pdf_nesting_within(
        b"%PDF-1.7\n1 0 obj\n<< /Length 40 >>\nstream\n" + b"[" * 40 + b"\nendstream"
    )
    assert bounds.pdf_nesting_within(b"%PDF-1.7\n(" + b"[" * 40 + b")\n% " + b"[" * 40)
    assert not bounds.pdf_nesting_within(b"%PDF-1.7\n1 0 obj\n<< /stream " + b"[" * 40 + b">>")
    with pikepdf.open(io.BytesIO(looping_fields())) as document:
        assert not bounds.pdf_structure_within(document)
    content = issued.pdf.read()
    assert bounds.pdf_nesting_within(content)
    with pikepdf.open(issued.pdf.path) as document:
        assert bounds.pdf_structure_within(document)
    assert bounds.json_nesting_within(json.dumps(openbadges.credential_of(issued.credential_jwt)))


def test_the_portals_own_status_list_and_mutated_certificates_are_answered_in_time(client, issued):  # noqa: F811
    status_list = client.get(reverse("certificates:ob_status_list")).content
    response, seconds = post(client, status_list)
    assert response.status_code == 200 and seconds < SECOND
    assert response.context["pdf_result"].verdict == Verdict.REFUSED
    content = issued.pdf.read()
    chance = random.Random(2025)
    for _round in range(12):
        mutated = bytearray(content)
        for position in chance.sample(range(len(content)), 3):
            mutated[position] = chance.randrange(256)
        response, seconds = post(client, bytes(mutated[: chance.randrange(len(content) // 2, len(content))]))
        assert response.status_code == 200 and seconds < SECOND, seconds
        assert response.context["pdf_result"].verdict != Verdict.ORIGINAL
