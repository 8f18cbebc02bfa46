"""The JSON log format: one object per line, its ``time`` in RFC 3339 with the offset of
Europe/Berlin (``2026-03-29T03:00:00.125+02:00``), so a log collector orders lines across the
change to and from summer time. Used by ``config.settings.LOGGING`` and by gunicorn
(``gunicorn.conf.py``), so the lines of web, worker and beat read alike."""

import datetime as dt
from zoneinfo import ZoneInfo

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

BERLIN = ZoneInfo("Europe/Berlin")


def rfc3339(created: float) -> str:
    return dt.datetime.fromtimestamp(created, tz=BERLIN).isoformat(timespec="milliseconds")


class JsonFormatter(_JsonFormatter):
    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging's name
        return rfc3339(record.created)
