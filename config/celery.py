"""The Celery application. Tasks live in each app's ``tasks.py`` and are found by autodiscovery;
the ground floor's (``portal.mail.tasks``, ``portal.privacy.tasks``) are registered by the portal
app when Django starts (``PortalConfig.ready``), in the worker as in every other process."""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _prepare_pdf_rendering(**_kwargs):
    """Each worker process loads WeasyPrint, the fonts and the PDF stylesheets when it starts, so
    the first certificate it renders does not wait for them."""
    from portal.pdf import prepare

    prepare()


_heartbeat = None


@worker_ready.connect
def _start_heartbeat(**_kwargs):
    """While a worker runs it reports in every few seconds; /readyz reads the age of the last report."""
    global _heartbeat
    from django.conf import settings

    from portal.ops.health import Heartbeat

    if settings.REDIS_URL and _heartbeat is None:
        _heartbeat = Heartbeat()
        _heartbeat.start()


@worker_shutdown.connect
def _stop_heartbeat(**_kwargs):
    global _heartbeat
    if _heartbeat is not None:
        _heartbeat.stop()
        _heartbeat = None
