"""The network's section of the public start page, for the landing template to include.

The landing page belongs to ``modules``, which must not import this app; its template loads
this tag library instead (``{% load community_public %}{% community_landing %}``), so the
section appears wherever the network is installed and costs no query while its cache holds.
"""

from django import template

from ..testimonials import landing_section

register = template.Library()


@register.inclusion_tag("community/_landing.html", takes_context=True)
def community_landing(context):
    return {"section": landing_section(), "LANGUAGE_CODE": context.get("LANGUAGE_CODE", "de")}
