"""What every certificate PDF must be: PDF/A-3a and PDF/UA-1 by a validator, and the structure
checks below (pikepdf), which also catch what a validator may let through."""

import io

import page
import pikepdf

PAINTING = {b"Tj", b"TJ", b"'", b'"', b"Do", b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b", b"b*", b"sh"}
TEXT = {b"Tj", b"TJ", b"'", b'"'}


def validator_failures(content: bytes) -> dict[str, list[str]]:
    """The rules ``page`` finds broken, per profile (PDF/A-3a, PDF/UA-1)."""
    return {
        profile: [f"{failure.rule_id}: {failure.message}" for failure in report.failures]
        for profile in ("3a", "ua1")
        for report in [page.validate_pdf_bytes(content, profile=profile)]
    }


def _elements(element, depth=0):
    yield element, depth
    kids = element.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            yield from _elements(kid, depth + 1)


def mcids_of(element) -> list[int]:
    kids = element.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    return [int(kid) for kid in kids if isinstance(kid, int)]


def structure(content: bytes):
    """The Document element of the structure tree and its elements in reading order."""
    pdf = pikepdf.open(io.BytesIO(content))
    (document,) = (
        pdf.Root.StructTreeRoot.K
        if isinstance(pdf.Root.StructTreeRoot.K, pikepdf.Array)
        else [pdf.Root.StructTreeRoot.K]
    )
    return pdf, document, list(_elements(document))


def check_accessible(content: bytes) -> None:
    """Raise AssertionError with the reason where the PDF is not what a certificate must be."""
    failures = validator_failures(content)
    assert failures == {"3a": [], "ua1": []}, failures

    pdf, document, elements = structure(content)
    root = pdf.Root
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) in ("de", "en")
    assert root.ViewerPreferences.DisplayDocTitle is True
    xmp = root.Metadata.read_bytes()
    assert (
        b"<pdfuaid:part>1</pdfuaid:part>" in xmp
        and b'pdfaid:part="3"' in xmp
        and b'pdfaid:conformance="A"' in xmp
    )
    assert "/Filter" not in root.Metadata

    (page_object,) = pdf.pages
    assert page_object.obj.Tabs == "/S"
    # Every marked-content id of the page belongs to exactly one structure element, and the
    # parent tree maps it back to that element.
    owners = {}
    for element, _depth in elements:
        for mcid in mcids_of(element):
            assert mcid not in owners, f"MCID {mcid} claimed twice"
            owners[mcid] = element
    parents = root.StructTreeRoot.ParentTree.Nums
    assert int(parents[0]) == int(page_object.obj.StructParents) == 0
    assert len(parents[1]) == len(owners)
    for mcid, element in owners.items():
        assert parents[1][mcid].objgen == element.objgen, f"parent tree wrong for MCID {mcid}"

    # All that is painted is either tagged content or an artifact; no glyph is .notdef (0).
    stack, seen = [], set()
    fonts = page_object.Resources.Font
    for operands, operator in pikepdf.parse_content_stream(page_object):
        name = bytes(operator)
        if name in (b"BDC", b"BMC"):
            tag = str(operands[0])
            properties = operands[1] if len(operands) > 1 else None
            if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                seen.add(int(properties.MCID))
            stack.append(tag)
        elif name == b"EMC":
            stack.pop()
        elif name in PAINTING:
            assert stack, f"{name!r} painted outside marked content"
        if name in TEXT:
            strings = operands[0] if name == b"TJ" else [operands[-1]]
            for string in strings:
                if isinstance(string, pikepdf.String):
                    codes = bytes(string)
                    assert all(codes[i : i + 2] != b"\0\0" for i in range(0, len(codes), 2)), ".notdef drawn"
    assert seen == set(owners), "marked content without structure element, or the other way round"

    # Figures say what they show; one heading of the first level.
    for element, _depth in elements:
        if element.S == "/Figure":
            assert str(element.get("/Alt", "")).strip(), "figure without alternative text"
    assert [element.S for element, _depth in elements].count("/H1") == 1

    # Every font embedded once: one subset per font, each under its own tag.
    names = []
    for font in fonts.values():
        (descendant,) = font.DescendantFonts
        assert "/FontFile2" in descendant.FontDescriptor or "/FontFile3" in descendant.FontDescriptor
        names.append(str(font.BaseFont)[1:])
    tags = [name.split("+", 1)[0] for name in names]
    assert len(set(tags)) == len(tags), f"subset tags repeat: {names}"
    assert len({name.split("+", 1)[1] for name in names}) == len(names), f"a font embedded twice: {names}"
    for x_object in page_object.Resources.get("/XObject", {}).values():
        assert x_object.Subtype == "/Image", "content drawn from a form XObject is not tagged on the page"
