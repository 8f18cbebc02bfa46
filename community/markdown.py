"""The posts' small Markdown: paragraphs, line breaks, emphasis, lists, quotes, code and links.

Rendered by markdown-it-py with raw HTML switched off and only these rules on, then cleaned by
nh3 (Ammonia) with an allow-list, so that whatever the renderer lets through, only these tags
reach the page: no script, no style, no event handler, no image (so no remote image either),
and links only to http, https and mailto, marked nofollow and opening nothing with the page.
"""

import nh3
from markdown_it import MarkdownIt

RULES = ["emphasis", "list", "link", "backticks", "blockquote", "newline", "fence", "code"]
TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "a", "code", "pre", "blockquote"}
ATTRIBUTES = {"a": {"href"}}
SCHEMES = {"http", "https", "mailto"}

_renderer = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False}).enable(RULES)


def render(text: str) -> str:
    """Safe HTML for a post's Markdown."""
    html = _renderer.render(text)
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
