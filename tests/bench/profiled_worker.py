"""The portal's Celery worker whose processes time the steps of their tasks (``worker_profile``)
and write them to ``$BENCH_PROFILE_DIR/<pid>.json`` when they stop. For the benchmark only:

    celery -A tests.bench.profiled_worker worker --concurrency=2 …
"""

import json
import os
import time
from pathlib import Path

from celery.signals import task_postrun, task_prerun, worker_process_init, worker_process_shutdown

from config.celery import app  # noqa: F401  (the app ``celery -A`` looks for here)

TASK = "the task's own time (loading, claiming, saving, Celery inside the task)"
RENDER_TASKS = {
    "certificates.tasks.render_certificates": len,
    "certificates.tasks.render_certificate": lambda _id: 1,
}

_state: dict = {}


@worker_process_init.connect
def _start(**_kwargs):
    from tests.bench.worker_profile import Profile

    profile = Profile()
    profile.__enter__()
    _state.update(profile=profile, first=None, last=None, tasks={}, certificates=0)


@task_prerun.connect
def _before(**_kwargs):
    if "profile" in _state:
        _state["first"] = _state["first"] or time.perf_counter()
        _state["profile"]._enter(TASK)


@task_postrun.connect
def _after(task=None, args=None, **_kwargs):
    if "profile" not in _state:
        return
    _state["profile"]._leave()
    _state["last"] = time.perf_counter()
    _state["tasks"][task.name] = _state["tasks"].get(task.name, 0) + 1
    if task.name in RENDER_TASKS and args:
        _state["certificates"] += RENDER_TASKS[task.name](args[0])


@worker_process_shutdown.connect
def _write(**_kwargs):
    profile = _state.get("profile")
    if profile is None or _state["first"] is None:
        return
    profile.__exit__(None, None, None)
    record = {
        "exclusive": dict(profile.exclusive),
        "queries": profile.queries,
        "span": _state["last"] - _state["first"],
        "tasks": _state["tasks"],
        "certificates": _state["certificates"],
    }
    folder = Path(os.environ["BENCH_PROFILE_DIR"])
    (folder / f"{os.getpid()}.json").write_text(json.dumps(record))
