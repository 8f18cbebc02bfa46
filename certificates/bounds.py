"""Limits checked before anything a stranger uploads reaches a parser.

The verification page is public: it parses PDFs (pyHanko, pikepdf) and credentials (JSON, JWS)
from anyone. Those parsers recurse into nested arrays, dictionaries and form fields, and some
trust the numbers a file states about itself. Every upload first passes the cheap, linear checks
here; what fails them is not a certificate of this portal, and the page says so.

What is guaranteed: each check reads the input once, stops at the first excess, and never
recurses; the bounds sit far above anything the portal itself writes (a certificate nests about
six levels deep and has one form field).
"""

import re

MAX_NESTING = 32  # arrays and dictionaries (PDF), arrays and objects (JSON)
MAX_PDF_TOKENS = 200_000  # brackets, dictionary marks and strings outside streams
MAX_FIELDS = 200  # form fields, all levels together
MAX_FIELD_DEPTH = 8
MAX_PAGE_TREE_DEPTH = 16
MAX_TOKEN_BYTES = 256 * 1024  # a credential as JWS compact serialisation

_JSON = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
# A stream's data starts after its dictionary and the keyword: ">> stream" is one token, so a name
# or word "stream" elsewhere cannot make the scan skip what follows.
_PDF = re.compile(rb"\\.|>>[\x00\t\n\f\r ]*stream(?![A-Za-z])|[()\[\]%]|<<|>>", re.DOTALL)
_END_OF_LINE = re.compile(rb"[\r\n]")


def json_nesting_within(text: str, limit: int = MAX_NESTING) -> bool:
    """Does this JSON text nest arrays and objects no deeper than ``limit``? (Unbalanced text
    passes here and fails in the parser, which then does not recurse deeply.)"""
    depth = 0
    for match in _JSON.finditer(text):
        mark = match.group()
        if mark in ("[", "{"):
            depth += 1
            if depth > limit:
                return False
        elif mark in ("]", "}"):
            depth -= 1
    return True


def pdf_nesting_within(data: bytes, limit: int = MAX_NESTING, tokens: int = MAX_PDF_TOKENS) -> bool:
    """Does this PDF nest arrays and dictionaries no deeper than ``limit``, with no more than
    ``tokens`` structural marks outside its streams? Strings (with their balanced parentheses and
    escapes), comments and stream data are skipped as a PDF reader skips them."""
    depth = 0
    in_string = 0
    position = 0
    seen = 0
    while True:
        match = _PDF.search(data, position)
        if match is None:
            return True
        seen += 1
        if seen > tokens:
            return False
        token = match.group()
        position = match.end()
        if in_string:
            if token == b"(":
                in_string += 1
            elif token == b")":
                in_string -= 1
            continue
        if token == b"(":
            in_string = 1
        elif token in (b"[", b"<<"):
            depth += 1
            if depth > limit:
                return False
        elif token in (b"]", b">>"):
            depth = max(depth - 1, 0)
        elif token == b"%":
            end = _END_OF_LINE.search(data, position)
            position = end.end() if end else len(data)
        elif token.endswith(b"stream"):  # the dictionary closes, its data is skipped
            depth = max(depth - 1, 0)
            end = data.find(b"endstream", position)
            position = end + len(b"endstream") if end >= 0 else len(data)


def pdf_structure_within(pdf) -> bool:
    """Is the form field tree and the page tree of this (pikepdf) document small and shallow?
    Walked without recursion; a reference seen twice (a loop) counts as an excess."""
    root = pdf.Root
    form = root.get("/AcroForm")
    fields = form.get("/Fields") if form is not None else None
    if fields is not None and not _tree_within(fields, MAX_FIELD_DEPTH, MAX_FIELDS):
        return False
    pages = root.get("/Pages")
    return pages is None or _tree_within([pages], MAX_PAGE_TREE_DEPTH, 10_000)


def _tree_within(kids, max_depth: int, max_nodes: int) -> bool:
    import pikepdf

    pending = [(kid, 1) for kid in _as_list(kids)]
    seen = set()
    while pending:
        node, depth = pending.pop()
        if depth > max_depth or len(seen) >= max_nodes:
            return False
        if not isinstance(node, pikepdf.Dictionary):
            continue
        key = node.objgen if node.is_indirect else id(node)
        if key in seen:
            return False
        seen.add(key)
        children = node.get("/Kids")
        if children is not None:
            pending.extend((child, depth + 1) for child in _as_list(children))
    return True


def _as_list(value) -> list:
    import pikepdf

    return list(value) if isinstance(value, pikepdf.Array) else [value]
