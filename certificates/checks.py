from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def seal_and_signing_key(app_configs, **kwargs):
    """Production issues no certificate without its seal and signing key: say so before a
    coordinator finds out."""
    from .keys import missing_keys

    return [
        checks.Warning(
            f"Certificates cannot be issued: {missing} is not configured.",
            hint="See README, section on sealed certificates and Open Badges credentials.",
            id="certificates.W001",
        )
        for missing in missing_keys()
    ]
