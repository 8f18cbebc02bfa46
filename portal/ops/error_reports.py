"""Error reports and log lines that never carry a one-time secret.

Django's error report (the mail to the administrators, and anything that renders it) shows the
local variables of every frame and the request's address. A password reset that fails half way
would show the reset link in ``allauth``'s frames, and an error on the page a reset link opens
would show the link in the address. Here both are cleansed; the rest of a report stays as Django
makes it. See ``portal.mail.secrets`` for the outbox's side of the same promise.
"""

import copy
import logging
import pprint
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# Code that holds reset keys, confirmation keys, login codes or a mail that carries one.
SECRET_MODULES = (
    "allauth.account",
    "allauth.mfa",
    "django.contrib.auth.tokens",
    "django.core.mail",
    "portal.accounts.adapters",
    "portal.mail",
)
# The secret segment of a reset or confirmation link's path, wherever it appears.
ONE_TIME_PATH = re.compile(r"(/(?:password/reset/key|confirm-email)/)[^\s/?#\"'<>]+")
CLEANSED = "********************"


def redact_path(text: str) -> str:
    return ONE_TIME_PATH.sub(rf"\g<1>{CLEANSED}", text)


def _without_one_time_path(value):
    """The value, or its representation without the secret part of a one-time link."""
    try:
        text = pprint.pformat(value)
    except Exception:  # a broken __repr__ is the report's business, not ours
        return value
    return redact_path(text) if ONE_TIME_PATH.search(text) else value


class SecretSafeReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, and besides: no local variable of the code that handles secrets, and no
    secret in the request's address."""

    def get_traceback_frame_variables(self, request, tb_frame):
        module = tb_frame.f_globals.get("__name__", "")
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        if module.startswith(SECRET_MODULES):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        # Elsewhere a variable may still show the address (the request itself, a URL).
        return [
            (name, _without_one_time_path(value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        if not self.is_active(request):
            return meta
        return {name: redact_path(value) if isinstance(value, str) else value for name, value in meta.items()}


class SecretSafeExceptionReporter(ExceptionReporter):
    """The report of a request whose address held a one-time link shows the address without it."""

    def __init__(self, request, exc_type, exc_value, tb, is_email=False):
        super().__init__(request, exc_type, exc_value, tb, is_email)
        if request is not None and self.filter.is_active(request):
            safe = copy.copy(request)
            safe.path = redact_path(request.path)
            safe.path_info = redact_path(request.path_info)
            safe.META = {
                name: redact_path(value) if isinstance(value, str) else value
                for name, value in request.META.items()
            }
            self.request = safe

    def _get_raw_insecure_uri(self):
        return redact_path(super()._get_raw_insecure_uri())


class RedactOneTimeLinks(logging.Filter):
    """Log lines ("Not Found: /konto/password/reset/key/…") without the secret part of the path."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True
