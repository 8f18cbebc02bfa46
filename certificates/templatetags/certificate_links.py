"""Links a participant uses to show a certificate elsewhere."""

from urllib.parse import urlencode

from django import template

register = template.Library()

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


@register.simple_tag
def linkedin_add_url(certificate) -> str:
    """LinkedIn's public add-to-profile link (no API key): the certification's name, issuing
    organisation, issue date, number and the verification page with number and code filled in."""

    from certificates.openbadges import issuer_name
    from certificates.render import verification_url

    return f"{LINKEDIN_ADD_TO_PROFILE}?" + urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": certificate.programme_title,
            "organizationName": issuer_name(),
            "issueYear": certificate.issued_on.year,
            "issueMonth": certificate.issued_on.month,
            "certId": certificate.number,
            "certUrl": verification_url(certificate),
        }
    )
