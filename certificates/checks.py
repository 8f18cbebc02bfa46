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


@checks.register(checks.Tags.security, deploy=True)
def timestamp_trust_roots(app_configs, **kwargs):
    """A timestamp server without trust roots for it seals times the verification page will
    call unproven."""
    from django.conf import settings

    if settings.SEAL_TSA_URL and not settings.SEAL_TSA_TRUST_ROOTS_FILE:
        return [
            checks.Warning(
                "SEAL_TSA_URL is set but SEAL_TSA_TRUST_ROOTS_FILE is not: the verification page "
                "will show every time of sealing as unproven.",
                hint="Configure the timestamp authority's root certificates (PEM).",
                id="certificates.W002",
            )
        ]
    return []
