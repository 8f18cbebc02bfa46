"""The decision mails' default texts. Reviewers edit them in the admin; these seed them."""

DEFAULTS = {
    ("accepted", "de"): (
        "Zusage: Ihr Platz im {{ cohort }} ({{ reference }})",
        "Guten Tag {{ name }},\n\n"
        "wir freuen uns, Ihnen einen Platz im {{ cohort }} des Qualifizierungsprogramms "
        "„Smart City Manager:in“ anzubieten. Der Durchgang läuft vom {{ start }} bis zum {{ end }}.\n\n"
        "Bitte bestätigen Sie Ihren Platz bis einschließlich {{ respond_by }} im Portal:\n{{ link }}\n\n"
        "Ohne Ihre Bestätigung geben wir den Platz an die nächste Person auf der Warteliste weiter.\n\n"
        "Mit freundlichen Grüßen\nIhr Team Smart City Manager:in",
    ),
    ("promoted", "de"): (
        "Ein Platz ist frei geworden: {{ cohort }} ({{ reference }})",
        "Guten Tag {{ name }},\n\n"
        "im {{ cohort }} ist ein Platz frei geworden, und Sie stehen auf der Warteliste ganz oben. "
        "Wir bieten Ihnen diesen Platz gern an. Der Durchgang läuft vom {{ start }} bis zum {{ end }}.\n\n"
        "Bitte bestätigen Sie Ihren Platz bis einschließlich {{ respond_by }} im Portal:\n{{ link }}\n\n"
        "Mit freundlichen Grüßen\nIhr Team Smart City Manager:in",
    ),
    ("waitlisted", "de"): (
        "Warteliste: Ihre Bewerbung {{ reference }}",
        "Guten Tag {{ name }},\n\n"
        "vielen Dank für Ihre Bewerbung für den {{ cohort }}. Alle Plätze sind zurzeit vergeben; wir haben "
        "Sie auf die Warteliste gesetzt. Wird ein Platz frei, bieten wir ihn Ihnen per E-Mail an.\n\n"
        "{% if reason %}{{ reason }}\n\n{% endif %}"
        "Den Stand Ihrer Bewerbung sehen Sie jederzeit im Portal:\n{{ link }}\n\n"
        "Mit freundlichen Grüßen\nIhr Team Smart City Manager:in",
    ),
    ("rejected", "de"): (
        "Ihre Bewerbung {{ reference }}",
        "Guten Tag {{ name }},\n\n"
        "vielen Dank für Ihr Interesse am {{ cohort }}. Leider können wir Ihnen keinen Platz anbieten.\n\n"
        "{% if reason %}{{ reason }}\n\n{% endif %}"
        "Wir würden uns freuen, wenn Sie sich für einen späteren Durchgang erneut bewerben.\n\n"
        "Mit freundlichen Grüßen\nIhr Team Smart City Manager:in",
    ),
    ("accepted", "en"): (
        "Offer of a place in the {{ cohort }} ({{ reference }})",
        "Dear {{ name }},\n\n"
        'we are pleased to offer you a place in the {{ cohort }} of the "Smart City Manager" qualification '
        "programme. The cohort runs from {{ start }} to {{ end }}.\n\n"
        "Please confirm your place in the portal by {{ respond_by }} (inclusive):\n{{ link }}\n\n"
        "Without your confirmation the place goes to the next person on the waiting list.\n\n"
        "Kind regards\nThe Smart City Manager team",
    ),
    ("promoted", "en"): (
        "A place has become free: {{ cohort }} ({{ reference }})",
        "Dear {{ name }},\n\n"
        "a place in the {{ cohort }} has become free and you are next on the waiting list. We are glad to "
        "offer it to you. The cohort runs from {{ start }} to {{ end }}.\n\n"
        "Please confirm your place in the portal by {{ respond_by }} (inclusive):\n{{ link }}\n\n"
        "Kind regards\nThe Smart City Manager team",
    ),
    ("waitlisted", "en"): (
        "Waiting list: your application {{ reference }}",
        "Dear {{ name }},\n\n"
        "thank you for applying for the {{ cohort }}. All places are taken at the moment, so we have put you "
        "on the waiting list. If a place becomes free, we will offer it to you by e-mail.\n\n"
        "{% if reason %}{{ reason }}\n\n{% endif %}"
        "You can follow your application in the portal:\n{{ link }}\n\n"
        "Kind regards\nThe Smart City Manager team",
    ),
    ("rejected", "en"): (
        "Your application {{ reference }}",
        "Dear {{ name }},\n\n"
        "thank you for your interest in the {{ cohort }}. Unfortunately we cannot offer you a place.\n\n"
        "{% if reason %}{{ reason }}\n\n{% endif %}"
        "We would be glad to receive your application for a later cohort.\n\n"
        "Kind regards\nThe Smart City Manager team",
    ),
}


def create_defaults(mail_template_model) -> None:
    for (kind, language), (subject, body) in DEFAULTS.items():
        mail_template_model.objects.get_or_create(
            kind=kind, language=language, defaults={"subject": subject, "body": body}
        )
