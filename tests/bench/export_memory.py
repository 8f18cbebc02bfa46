"""One export in a fresh process of its own, for the federal benchmark: its time, the process's
absolute peak resident memory, and how much that peak grew during the export.

    python -m tests.bench.export_memory KIND EMAIL

KIND is admin-csv, admin-xlsx, evaluation-csv or evaluation-xlsx; EMAIL the account that exports.
Prints one line of JSON. The environment is the benchmark's (DATABASE_URL, settings module).

The peak is the kernel's high-water mark of the resident set (``VmHWM``). Before the export it is
reset to the current resident set (``/proc/self/clear_refs``), after Django, the templates and
the session are warm, so the growth is the export's own. An admin export long enough to be built
as an export job (``PORTAL_EXPORT_BACKGROUND_ROWS``) is asked for as the admin does and then built
here, as the worker builds it: the time and the peak are those of the whole build.
"""

import json
import sys
import time
from pathlib import Path

STATUS = Path("/proc/self/status")


def _status_mib(field: str) -> float:
    for line in STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    return 0.0


def reset_peak() -> bool:
    """Set the high-water mark to the current resident set (Linux 4.0 and later)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _admin_request(client, kind: str):
    from django.conf import settings

    from .federal_exports import ADMIN_FIELDS

    fmt = "0" if kind.endswith("csv") else "1"
    return client.post(
        f"/{settings.ADMIN_URL}applications/application/export/?durchgang=alle",
        {"format": fmt, "resource": "0", **{f"applicationresource_{name}": "on" for name in ADMIN_FIELDS}},
    )


def _size(response) -> tuple[int, str]:
    """The file's size, and how it was made: streamed, or built as an export job."""
    from django.utils import timezone

    if response.status_code == 302:  # the list is long: recorded as an export job
        from portal.exports.models import ExportJob
        from portal.exports.services import build

        job = ExportJob.objects.order_by("-pk").first()
        built = build(job_id=job.pk, at=timezone.now())
        if built.status != ExportJob.Status.DONE:
            raise RuntimeError(f"the export job ended {built.status}: {built.error}")
        return built.file.size, "export job"
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content), "streamed"
    return len(response.content), "in one piece"


def main(kind: str, email: str) -> dict:
    import django

    django.setup()
    from django.test import Client

    from portal.accounts.models import User

    from .pages import _client

    client: Client = _client(User.objects.get(email=email))
    if kind.startswith("admin"):

        def request():
            return _admin_request(client, kind)

    else:
        fmt = kind.split("-")[1]

        def request():
            return client.get(f"/auswertung/export/teilnahme.{fmt}")

    client.get("/")  # imports, templates and the session are warm before the measurement
    reset = reset_peak()
    before = _status_mib("VmRSS")
    started = time.perf_counter()
    response = request()
    size, how = _size(response)
    elapsed = time.perf_counter() - started
    peak = _status_mib("VmHWM")
    return {
        "status": response.status_code,
        "time": elapsed,
        "peak_mib": peak,
        "growth_mib": max(peak - before, 0.0) if reset else None,
        "before_mib": before,
        "bytes": size,
        "how": how,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
