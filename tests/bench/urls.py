"""The portal's URLs plus the baseline of the deadline rush: a bare view that inserts one row.

Only the benchmark's settings (tests/bench/settings.py) use this URLconf; production never does.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as portal_urlpatterns

BASELINE_TABLE = "bench_baseline_row"


@require_POST
def insert_row(request):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BASELINE_TABLE} (created_at) VALUES (now())")  # noqa: S608
    return HttpResponse(status=204)


urlpatterns = [path("bench/insert/", insert_row), *portal_urlpatterns]
