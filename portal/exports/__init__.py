"""Exports built in the worker: a list too long to write within a web request (gunicorn cuts a
request off after its timeout) is recorded as an ``ExportJob``, built by a Celery task with a
lease like every durable unit of work (``portal.exports.services``), followed on a progress page
and downloaded by the person who asked for it, through a permission-checked view."""
