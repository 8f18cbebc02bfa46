"""What the legal pages print: the operator of the portal (imprint, privacy notice) and the
accessibility statement (BITV 2.0), read from the environment, and the production check that none
of the contacts they print is still an example placeholder (the imprint is a legal duty, § 5 DDG).
"""

import re

from django.core.exceptions import ImproperlyConfigured

# Address, e-mail and phone default to these placeholders for a try-out.
OPERATOR_PLACEHOLDERS = {
    "address": "Musterstraße 1, 14467 Potsdam",
    "email": "smartcity@example.org",
    "phone": "+49 331 000000",
}


def operator(env) -> dict:
    """The operator, its partner and evaluator, and the contacts the portal prints."""
    return {
        # Names left empty are the operator's texts (portal/operator, edited in the admin).
        "name": env.str("PORTAL_OPERATOR_NAME", default=""),
        "unit": env.str("PORTAL_OPERATOR_UNIT", default=""),
        "address": env.str("PORTAL_OPERATOR_ADDRESS", default=OPERATOR_PLACEHOLDERS["address"]),
        "email": env.str("PORTAL_OPERATOR_EMAIL", default=OPERATOR_PLACEHOLDERS["email"]),
        "phone": env.str("PORTAL_OPERATOR_PHONE", default=OPERATOR_PLACEHOLDERS["phone"]),
        "partner": env.str("PORTAL_PARTNER_NAME", default=""),
        "evaluator": env.str("PORTAL_EVALUATOR_NAME", default=""),
        # The person responsible for the content (imprint).
        "responsible": env.str("PORTAL_OPERATOR_RESPONSIBLE", default=""),
        # Where accessibility feedback goes (the form on the accessibility statement mails it here).
        "accessibility_email": env.str("PORTAL_ACCESSIBILITY_EMAIL", default="barrierefreiheit@example.org"),
        # The course's day-to-day contact (sessions, materials, practical tasks, certificates).
        "course_contact": env.str("PORTAL_COURSE_CONTACT_NAME", default=""),
        "course_email": env.str("PORTAL_COURSE_CONTACT_EMAIL", default="kurs@example.org"),
        "course_phone": env.str("PORTAL_COURSE_CONTACT_PHONE", default="+49 331 000001"),
        # A video in German Sign Language (DGS) about the portal; without one, no DGS page is linked.
        "sign_language_video": env.str("PORTAL_SIGN_LANGUAGE_VIDEO_URL", default=""),
        # A logo of the operator beside its name in the header: a path below static/, none by default.
        "logo": env.str("PORTAL_OPERATOR_LOGO", default=""),
    }


def accessibility(env) -> dict:
    """The accessibility statement: its dates, and the state's enforcement and conciliation body (Durchsetzungs- und Schlichtungsstelle, with the state's commissioner for the concerns of people with disabilities)."""
    return {
        "prepared_on": env.str("PORTAL_ACCESSIBILITY_PREPARED_ON", default="27.11.2026"),
        "reviewed_on": env.str("PORTAL_ACCESSIBILITY_REVIEWED_ON", default="27.11.2026"),
        # Empty: the operator's texts (accessibility.enforcement_name, …_address).
        "enforcement_name": env.str("PORTAL_ENFORCEMENT_NAME", default=""),
        "enforcement_address": env.str("PORTAL_ENFORCEMENT_ADDRESS", default=""),
        "enforcement_email": env.str("PORTAL_ENFORCEMENT_EMAIL", default="schlichtung@example.org"),
        "enforcement_url": env.str("PORTAL_ENFORCEMENT_URL", default=""),
    }


def is_placeholder(kind: str, value: str, placeholder: str) -> bool:
    """Whether ``value`` is missing, the placeholder itself, or of its kind an example (a
    Musterstraße, a domain reserved for examples)."""
    plain = " ".join(value.split()).casefold()
    placeholder = " ".join(placeholder.split()).casefold()
    if kind == "phone":  # compared digit by digit: "+49 (331) 000 000" is the same
        plain, placeholder = re.sub(r"\D", "", plain), re.sub(r"\D", "", placeholder)
    if not plain or plain == placeholder:
        return True
    if kind == "address":
        return "musterstra" in plain
    if kind == "email":  # no address at all, or a domain reserved for examples (RFC 2606)
        labels = plain.rpartition("@")[2].split(".")
        reserved = "example" in labels[-2:] or labels[-1] in {"test", "invalid", "localhost"}
        return "@" not in plain or len(labels) < 2 or reserved
    return False


def refuse_placeholders(operator: dict, accessibility: dict) -> None:
    """Refuse to start while a contact the legal pages print is missing or an example."""
    # What the legal pages print: the imprint (operator) and the accessibility statement, whose
    # feedback address and enforcement body BITV 2.0 requires.
    for variable, kind, value, placeholder, page in (
        (
            "PORTAL_OPERATOR_ADDRESS",
            "address",
            operator["address"],
            OPERATOR_PLACEHOLDERS["address"],
            "imprint",
        ),
        (
            "PORTAL_OPERATOR_EMAIL",
            "email",
            operator["email"],
            OPERATOR_PLACEHOLDERS["email"],
            "imprint",
        ),
        (
            "PORTAL_OPERATOR_PHONE",
            "phone",
            operator["phone"],
            OPERATOR_PLACEHOLDERS["phone"],
            "imprint",
        ),
        (
            "PORTAL_ACCESSIBILITY_EMAIL",
            "email",
            operator["accessibility_email"],
            "",
            "accessibility statement",
        ),
        (
            "PORTAL_ENFORCEMENT_EMAIL",
            "email",
            accessibility["enforcement_email"],
            "",
            "accessibility statement",
        ),
    ):
        if is_placeholder(kind, value, placeholder):
            raise ImproperlyConfigured(
                f"{variable} must be set in production to a real {kind}, not an example placeholder: "
                f"it is printed in the {page}."
            )
