"""The Celery application. Tasks live in each app's ``tasks.py`` and are found by autodiscovery;
the ground floor's (``portal.mail.tasks``, ``portal.privacy.tasks``) are registered by the portal
app when Django starts (``PortalConfig.ready``), in the worker as in every other process.

With ``PORTAL_LOG_FORMAT=json`` worker and beat print no start banner: every line on their
output is a JSON object; what the banner said is logged as one."""

import logging
import os

from celery import Celery
from celery.signals import celeryd_init, worker_process_init, worker_ready, worker_shutdown
from celery.utils.log import get_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = get_logger(__name__)


def _json_logs() -> bool:
    from django.conf import settings

    return settings.PORTAL_LOG_FORMAT == "json"


class PortalCelery(Celery):
    @property
    def Beat(self):  # noqa: N802 - Celery's name
        base = super().Beat

        class Beat(base):
            def __init__(self, *args, quiet: bool = False, **kwargs):
                if _json_logs():
                    quiet = True
                    logging.captureWarnings(True)
                super().__init__(*args, quiet=quiet, **kwargs)

        return Beat


app = PortalCelery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@celeryd_init.connect
def _quiet_banner_in_json_mode(sender=None, instance=None, **_kwargs):
    if instance is not None and _json_logs():
        instance.quiet = True
        logging.captureWarnings(True)  # Celery's warnings (e.g. about privileges) as JSON lines too
        logger.info("celery worker %s starting", sender)


@worker_process_init.connect
def _prepare_pdf_rendering(**_kwargs):
    """Each worker process loads WeasyPrint, the fonts and the PDF stylesheets when it starts, so
    the first certificate it renders does not wait for them."""
    from portal.pdf import prepare

    prepare()


_heartbeat = None


@worker_ready.connect
def _start_heartbeat(sender=None, **_kwargs):
    """While a worker runs it reports in every few seconds, for its liveness probe and for
    /readyz?full=1 (portal.ops.liveness)."""
    global _heartbeat
    from portal.ops.liveness import Heartbeat

    if _heartbeat is None:
        _heartbeat = Heartbeat(node=getattr(sender, "hostname", None))
        _heartbeat.start()


@worker_shutdown.connect
def _stop_heartbeat(**_kwargs):
    global _heartbeat
    if _heartbeat is not None:
        _heartbeat.stop()
        _heartbeat = None
