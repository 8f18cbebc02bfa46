"""Notes in the structure tree: an HTML element with ``role="note"`` and an ``id`` is tagged as a
``Note`` structure element with that ``/ID`` (PDF/UA-1, 7.9, requires the ID), where WeasyPrint
would tag a paragraph. Assistive technology reads it and announces it as a note: the marking
"Muster – ohne Gültigkeit" of a certificate sealed with the test seal says what the whole
document is worth, so it must not be an artifact that screen readers skip.

This wraps WeasyPrint's tagging step (``weasyprint.pdf.tags._build_box_tree``), which is why
WeasyPrint is pinned in pyproject.toml; ``tests/certificates/test_seal_keys_and_marking.py``
guards it.
"""


def tag_notes() -> None:
    """Have WeasyPrint tag ``role="note"`` elements as notes (once per process)."""
    import pydyf
    import weasyprint.pdf.tags as tags

    original = tags._build_box_tree
    if getattr(original, "portal_notes", False):
        return

    def build_box_tree(box, parent, pdf, page_number, nums, annotations, tags_):
        html = getattr(getattr(box, "_box", box), "element", None)
        note = html is not None and html.get("role") == "note" and html.get("id")
        for element in original(box, parent, pdf, page_number, nums, annotations, tags_):
            if note and element.get("S") == "/P":
                element["S"] = "/Note"
                element["ID"] = pydyf.String(html.get("id"))
            yield element

    build_box_tree.portal_notes = True
    tags._build_box_tree = build_box_tree
