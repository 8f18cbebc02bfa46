"""The Celery application. Tasks live in each app's ``tasks.py`` and are found by autodiscovery."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _prepare_pdf_rendering(**_kwargs):
    """Each worker process loads WeasyPrint, the fonts and the PDF stylesheets when it starts, so
    the first certificate it renders does not wait for them."""
    from portal.pdf import prepare

    prepare()
