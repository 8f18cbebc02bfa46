"""Where a certificate's time goes on its way through the task: the steps timed by wrapping the
functions that do them, each step's time exclusive (a query inside the rendering counts as query
time only), the rest being everything between (loading, claiming, saving, Celery, Python)."""

import time
from collections import defaultdict

# (module, attribute, label); an attribute "Class.method" wraps a method.
STEPS = (
    ("certificates.openbadges", "build_credential", "credential: built and schema-checked"),
    ("certificates.openbadges", "sign_credential", "credential: signed"),
    ("certificates.render", "render_certificate_pdf", "rendering (WeasyPrint, layers)"),
    ("certificates.proof", "embed_credential", "credential embedded (pikepdf)"),
    ("certificates.seal", "seal_pdf", "seal (pyHanko)"),
    ("django.core.files.storage", "FileSystemStorage._save", "file written"),
    ("portal.mail.outbox", "render_mail", "mail text (templates)"),
    ("portal.mail.sending", "send_batch", "mail sent (message built, attachment read)"),
)
QUERIES = "database queries"
TOTAL = "total"
REST = "rest (loading, claiming, saving, Celery, Python)"


class Profile:
    """``with Profile() as profile:`` times the steps inside the block."""

    def __init__(self):
        self.exclusive = defaultdict(float)
        self.queries = 0
        self._stack = []  # [label, started, time of the steps inside]
        self._restore = []

    def _enter(self, label: str) -> None:
        self._stack.append([label, time.perf_counter(), 0.0])

    def _leave(self) -> None:
        label, started, inner = self._stack.pop()
        elapsed = time.perf_counter() - started
        self.exclusive[label] += elapsed - inner
        if self._stack:
            self._stack[-1][2] += elapsed

    def _wrap(self, owner, name: str, label: str) -> None:
        original = vars(owner)[name]
        self._restore.append((owner, name, original))

        def timed(*args, **kwargs):
            self._enter(label)
            try:
                return original(*args, **kwargs)
            finally:
                self._leave()

        setattr(owner, name, timed)

    def _query(self, execute, sql, params, many, context):
        self.queries += 1
        self._enter(QUERIES)
        try:
            return execute(sql, params, many, context)
        finally:
            self._leave()

    def __enter__(self):
        import importlib

        from django.db import connection

        for module_name, attribute, label in STEPS:
            owner = importlib.import_module(module_name)
            if "." in attribute:
                class_name, attribute = attribute.split(".")
                owner = getattr(owner, class_name)
            self._wrap(owner, attribute, label)
        self._wrapper = connection.execute_wrapper(self._query)
        self._wrapper.__enter__()
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.total = time.perf_counter() - self._started
        self._wrapper.__exit__(*exc)
        for owner, name, original in reversed(self._restore):
            setattr(owner, name, original)
        return False

    def per_item(self, count: int) -> dict:
        """Milliseconds per certificate by step, the query count, the rest and the total."""
        steps = {label: self.exclusive[label] * 1000 / count for _module, _attribute, label in STEPS}
        steps[QUERIES] = self.exclusive[QUERIES] * 1000 / count
        steps[REST] = self.total * 1000 / count - sum(steps.values())
        steps[TOTAL] = self.total * 1000 / count
        return {"steps": steps, "queries_per_certificate": self.queries / count}
