"""What each role sees in the header, and where each role starts after logging in.

The roles are read once at login and kept in the session, so that pages do not look up groups
and permissions on every request. A change of role during a session (a confirmed seat makes an
applicant a participant) calls ``remember_roles`` again.
"""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from portal.accounts import roles

ROLES_SESSION_KEY = "portal_roles"


def roles_of(user) -> dict[str, bool]:
    """The parts of the portal a user can use."""
    groups = set(user.groups.values_list("name", flat=True))
    statistics = user.has_perm("evaluation.view_statistics")
    reviews = user.is_staff and user.has_perm("applications.view_application")
    coordinates = user.is_superuser or (user.is_staff and roles.COORDINATORS in groups)
    # A confirmed seat (cohorts.Enrollment, reached through its related name so that portal
    # imports nothing of the apps above it) makes a participant, as does the group.
    participant = roles.PARTICIPANTS in groups or user.enrollments.filter(state="confirmed").exists()
    return {
        "participant": participant,
        "coordinator": coordinates,
        "reviewer": reviews,
        "statistics": statistics,
        "admin": user.is_staff,
        # Staff and evaluators work with the portal; they do not apply through their accounts.
        "applicant": not (user.is_staff or statistics),
    }


def remember_roles(request, user) -> None:
    from portal.accounts.security import STATISTICS_SESSION_KEY

    roles = roles_of(user)
    request.session[ROLES_SESSION_KEY] = roles
    request.session[STATISTICS_SESSION_KEY] = roles["statistics"]


def remember_roles_on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        remember_roles(request, user)


def start_page(user) -> str:
    """Each role's own page after logging in."""
    roles = roles_of(user)
    if user.is_superuser:
        return reverse("admin:index")
    if roles["reviewer"]:
        return reverse("admin:applications_application_changelist")
    if roles["coordinator"]:
        return reverse("modules:coordination")
    if roles["statistics"] and not roles["participant"]:
        return reverse("evaluation:dashboard")
    if roles["participant"]:
        return reverse("modules:dashboard")
    return reverse("applications:dashboard")


# Where a person wanted to go before they had to sign in or sign up ("Jetzt bewerben" while
# signed out): kept in the session through sign-up, the e-mail confirmation and the login.
DESTINATION_SESSION_KEY = "portal_after_login"


def local_path(path: str | None) -> str | None:
    """``path`` if it is a path on this site (never another host or scheme), else None."""
    if not path or not path.startswith("/") or path.startswith("//"):
        return None
    # Only paths are taken, so no host is allowed: "/\\evil.example" and the like are refused.
    if not url_has_allowed_host_and_scheme(path, allowed_hosts=None, require_https=False):
        return None
    return path


def remember_destination(request, path: str) -> None:
    if local_path(path):
        request.session[DESTINATION_SESSION_KEY] = path


def remembered_destination(request, *, forget: bool = False) -> str | None:
    session = getattr(request, "session", None)
    if session is None:
        return None
    path = session.pop(DESTINATION_SESSION_KEY, None) if forget else session.get(DESTINATION_SESSION_KEY)
    return local_path(path)
