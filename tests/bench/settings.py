"""The portal's own settings plus a URLconf with the bare baseline view. Used only by ``make bench``."""

from config.settings import *  # noqa: F403
from config.settings import ALLOWED_HOSTS

ROOT_URLCONF = "tests.bench.urls"
# The in-process page measurements use Django's test client.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
