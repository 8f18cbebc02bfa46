from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Know-how-Transfer")

    def ready(self):
        # The weekly digest runs only from beat: nothing imports its task module otherwise, so it
        # is registered here, in the worker as in every other process.
        from . import tasks  # noqa: F401
