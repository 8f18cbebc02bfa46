"""The portal's answer when the database cannot be reached: 503 with the portal's page.

Django turns every exception into a response through ``handler500``; this one looks at the
exception being handled. A database that is down or hangs (the connection times out after
``PORTAL_DB_CONNECT_TIMEOUT`` seconds, a statement after ``PORTAL_DB_STATEMENT_TIMEOUT``) is a
temporary outage, not a bug: the person gets "Wartung oder Störung, bitte später erneut" with
``Retry-After`` within seconds. Anything else stays a 500.
"""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# Connection refused, timed out or dropped, a statement cancelled by the statement timeout.
UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(error: BaseException | None) -> bool:
    if isinstance(error, UNAVAILABLE):
        return True
    # psycopg's QueryCanceled (statement timeout) reaches Django as a DatabaseError subclass.
    cause = getattr(error, "__cause__", None)
    return isinstance(error, DatabaseError) and type(cause).__name__ == "QueryCanceled"


def unavailable_response():
    from django.http import HttpResponse

    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def server_error(request, template_name="500.html"):
    error = sys.exc_info()[1]
    if database_unavailable(error):
        logger.error("database unavailable: %s", type(error).__name__)
        return unavailable_response()
    return django_server_error(request, template_name=template_name)
