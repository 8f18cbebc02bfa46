from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal.accounts.navigation import ROLES_SESSION_KEY, remember_roles
from portal.operator.texts import accessibility_details, operator_details, texts


def _roles(request) -> dict[str, bool]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    session = getattr(request, "session", None)
    if session is None:
        return {}
    if ROLES_SESSION_KEY not in session:  # a session from before the roles were kept in it
        remember_roles(request, user)
    return session[ROLES_SESSION_KEY]


def portal(request):
    # The operator's texts, read once per request and only by a page that prints one.
    own = SimpleLazyObject(texts)
    return {
        "operator": SimpleLazyObject(lambda: operator_details(own=own)),
        "operator_texts": own,
        "accessibility": SimpleLazyObject(lambda: accessibility_details(own=own)),
        "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION,
        "retention_months": settings.PORTAL_RETENTION_MONTHS,
        "feedback_retention_months": settings.PORTAL_FEEDBACK_RETENTION_MONTHS,
        "export_keep_days": settings.PORTAL_EXPORT_KEEP_DAYS,
        "roles": SimpleLazyObject(lambda: _roles(request)),
    }
