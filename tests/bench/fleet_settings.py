"""The real settings for the fleet simulation (tests/bench/fleet.py), with
what a single simulating process needs instead: its own throw-away database
(FLEET_DATABASE_URL, an in-memory SQLite database by default; never DATABASE_URL,
so it cannot fill a real one), an in-memory cache (its entries expire on the
simulated clock), tasks run at once, and TikTok's budget in the database or,
as on several machines, in Redis (FLEET_REDIS_URL, say a database number of
your own: its keys are prefixed "fleet")."""

import os

import environ

from linkinbio.settings import *  # noqa: F403

DATABASES = {
    "default": environ.Env.db_url_config(
        os.environ.get("FLEET_DATABASE_URL") or "sqlite://:memory:"
    )
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": "fleet"}
}
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "icons"],
    }
}
REDIS_URL = os.environ.get("FLEET_REDIS_URL", "")
LOGGING_CONFIG = None
