from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal.accounts.roles import sync_role_permissions
        from portal.web.text import install_text_rules

        install_text_rules(self.apps.get_app_configs())

        # The ground floor's tasks live with their concern (portal.mail, portal.privacy); importing
        # them here registers them in every process, as an app's own tasks.py would be, so that a
        # task beat or the admin names (portal.tasks.apply_retention) is known in-process too.
        from .exports import tasks as _export_tasks  # noqa: F401
        from .mail import tasks as _mail_tasks  # noqa: F401
        from .privacy import tasks as _privacy_tasks  # noqa: F401

        post_migrate.connect(sync_role_permissions, dispatch_uid="portal.sync_role_permissions")

        from allauth.mfa.signals import authenticator_added
        from auditlog.registry import auditlog
        from django.contrib.auth.signals import user_logged_in

        from portal.accounts.models import User
        from portal.accounts.navigation import remember_roles_on_login
        from portal.accounts.security import (
            connect_rights_signals,
            remember_mfa_on_activation,
            remember_mfa_on_login,
        )

        auditlog.register(User, exclude_fields=["password", "last_login"])

        user_logged_in.connect(remember_mfa_on_login, dispatch_uid="portal.remember_mfa_on_login")
        user_logged_in.connect(remember_roles_on_login, dispatch_uid="portal.remember_roles_on_login")
        from portal.accounts.language import language_on_login

        user_logged_in.connect(language_on_login, dispatch_uid="portal.language_on_login")
        connect_rights_signals()
        authenticator_added.connect(
            remember_mfa_on_activation, dispatch_uid="portal.remember_mfa_on_activation"
        )
