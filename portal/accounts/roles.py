"""The portal's roles as Django groups, with the model permissions each role needs.

Groups are created by a data migration; permissions are attached after every migrate,
because the permissions of later models only exist once their migrations have run.

The group names are written here and nowhere else: code elsewhere names a role by its constant
and asks ``in_group`` (or filters by the constant).
"""

APPLICANTS = "applicants"
PARTICIPANTS = "participants"
REVIEWERS = "reviewers"
COORDINATORS = "coordinators"
EVALUATORS = "evaluators"
# Staff who edit the operator's texts in the admin (with its preview), and nothing else.
OPERATOR_TEXT_EDITORS = "Redaktion Betreibertexte"


def in_group(user, role: str) -> bool:
    """Whether the account belongs to the group of ``role`` (one query)."""
    return user.groups.filter(name=role).exists()


def group(role: str):
    """The Django group of ``role``."""
    from django.contrib.auth.models import Group

    return Group.objects.get(name=role)


ROLE_PERMISSIONS: dict[str, list[str]] = {
    APPLICANTS: [],
    PARTICIPANTS: [],
    REVIEWERS: [
        "applications.view_application",
        "applications.change_application",
        "applications.decide_application",
        "applications.view_reviewnote",
        "applications.add_reviewnote",
        "applications.view_score",
        "applications.add_score",
        "applications.change_score",
        "applications.view_statuschange",
        "applications.view_mailtemplate",
        "applications.change_mailtemplate",
        "portal.view_outboxmessage",
        "applications.view_deadlineextension",
        "applications.add_deadlineextension",
        "applications.change_deadlineextension",
        "applications.view_reviewassignment",
        "applications.view_conflict",
        "applications.add_conflict",
        "applications.view_reviewerprofile",
        "applications.add_reviewerprofile",
        "applications.change_reviewerprofile",
        "applications.view_informationrequest",
        "applications.add_informationrequest",
        "cohorts.view_cohort",
        "cohorts.view_enrollment",
        "portal.view_municipality",
        "evaluation.view_statistics",
    ],
    COORDINATORS: [
        "cohorts.view_cohort",
        "cohorts.view_enrollment",
        "modules.view_module",
        "modules.change_module",
        "modules.view_session",
        "modules.add_session",
        "modules.change_session",
        "modules.delete_session",
        "modules.view_material",
        "modules.add_material",
        "modules.change_material",
        "modules.delete_material",
        "modules.view_taskdeadline",
        "modules.add_taskdeadline",
        "modules.change_taskdeadline",
        "modules.view_attendance",
        "modules.view_tasksubmission",
        "portal.view_municipality",
        "portal.view_outboxmessage",  # only their own cohorts' mails (portal.mail.visible_mails)
        "evaluation.view_statistics",
        # People imported from before the portal, of their own cohorts: invited to claim their
        # account, with their certificate's number and code (cohorts.admin_scope).
        "certificates.view_importedenrollment",
        "certificates.change_importedenrollment",
    ],
    EVALUATORS: [
        "evaluation.view_statistics",
        "evaluation.export_pseudonymised",
        # The waves' questionnaires, edited in the admin (answers have no admin at all).
        "evaluation.view_instrument",
        "evaluation.add_instrument",
        "evaluation.change_instrument",
        "evaluation.view_instrumentversion",
        "evaluation.add_instrumentversion",
        "evaluation.change_instrumentversion",
        "evaluation.view_item",
        "evaluation.add_item",
        "evaluation.change_item",
        "evaluation.delete_item",
        "evaluation.view_wave",
        "evaluation.add_wave",
        "evaluation.change_wave",
    ],
    OPERATOR_TEXT_EDITORS: [  # "Fehlende Texte anlegen" creates the defaults the state has not edited yet
        "portal.view_operatortext",
        "portal.add_operatortext",
        "portal.change_operatortext",
    ],
}


def sync_role_permissions(**kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.add(*wanted)
