"""One export in a process of its own, for the federal benchmark: its time and how much the
process's peak memory (resident set) grew while it wrote the file.

    python -m tests.bench.export_memory KIND EMAIL

KIND is admin-csv, admin-xlsx, evaluation-csv or evaluation-xlsx; EMAIL the account that exports.
Prints one line of JSON. The environment is the benchmark's (DATABASE_URL, settings module).
"""

import json
import resource
import sys
import time


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main(kind: str, email: str) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from portal.accounts.models import User

    from .pages import _client

    client: Client = _client(User.objects.get(email=email))
    if kind.startswith("admin"):
        fmt = "0" if kind.endswith("csv") else "1"
        fields = ["reference", "name", "email", "employer", "district", "kind", "department", "position"]
        fields += ["status", "submitted_at", "score_mean", "score_count"]

        def request():
            return client.post(
                f"/{settings.ADMIN_URL}applications/application/export/?durchgang=alle",
                {"format": fmt, "resource": "0", **{f"applicationresource_{name}": "on" for name in fields}},
            )

    else:
        fmt = kind.split("-")[1]

        def request():
            return client.get(f"/auswertung/export/teilnahme.{fmt}")

    client.get("/")  # imports, templates and the session are warm before the measurement
    before = peak_mib()
    started = time.perf_counter()
    response = request()
    size = 0
    if response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
    else:
        size = len(response.content)
    elapsed = time.perf_counter() - started
    return {
        "status": response.status_code,
        "time": elapsed,
        "peak_mib": max(peak_mib() - before, 0.0),
        "bytes": size,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
