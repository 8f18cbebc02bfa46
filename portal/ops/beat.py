"""Beat's scheduler: django_celery_beat's (schedules edited in the admin), telling the liveness
probe at every tick that beat's loop runs (``portal.ops.liveness``)."""

import logging

from django_celery_beat.schedulers import DatabaseScheduler

from portal.ops.liveness import touch

logger = logging.getLogger(__name__)


class BeatScheduler(DatabaseScheduler):
    def tick(self, *args, **kwargs):
        try:
            touch("beat")
        except OSError:
            logger.warning("beat heartbeat could not be written", exc_info=True)
        return super().tick(*args, **kwargs)
