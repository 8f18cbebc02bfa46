from django.conf import settings


def portal(request):
    return {
        "operator": settings.PORTAL_OPERATOR,
        "accessibility": settings.PORTAL_ACCESSIBILITY,
        "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION,
        "retention_months": settings.PORTAL_RETENTION_MONTHS,
    }
