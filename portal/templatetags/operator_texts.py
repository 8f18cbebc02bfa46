"""The operator's texts in templates: ``{% operator_text "start.intro" %}`` prints one (escaped),
``{% operator_paragraphs "help.who_can_apply" %}`` prints one paragraph per blank-line-separated
part. Both take ``state=`` for a programme's own operator (the certificate of another state's
programme); otherwise the page's texts (context processor) or the portal's own are read."""

from django import template
from django.utils.html import format_html_join

from portal.operator.texts import paragraphs, texts

register = template.Library()


def _texts(context, state):
    if state:
        return texts(state)
    own = context.get("operator_texts")
    return own if own is not None else texts()


@register.simple_tag(takes_context=True)
def operator_text(context, key: str, state: str = ""):
    return _texts(context, state)[key]


@register.simple_tag(takes_context=True)
def operator_paragraphs(context, key: str, state: str = "", css: str = "kern-body"):
    return format_html_join(
        "\n", '<p class="{}">{}</p>', ((css, part) for part in paragraphs(_texts(context, state)[key]))
    )
