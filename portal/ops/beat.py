"""Beat's scheduler: django_celery_beat's (schedules edited in the admin), telling the liveness
probe and the operators' overview at every tick that beat's loop runs (``portal.ops.liveness``)."""

import logging

from django_celery_beat.schedulers import DatabaseScheduler

from portal.ops.liveness import beat_tick

logger = logging.getLogger(__name__)


class BeatScheduler(DatabaseScheduler):
    def tick(self, *args, **kwargs):
        try:
            beat_tick()
        except Exception:  # noqa: BLE001 - neither a full disk nor a Redis outage stops the schedule
            logger.warning("beat heartbeat could not be written", exc_info=True)
        return super().tick(*args, **kwargs)
