"""Fixtures every test shares.

Tests run on the real settings; the environment chooses SQLite or PostgreSQL
(DATABASE_URL) and the file cache or Redis (REDIS_URL). Each test gets an
empty cache and its own media folder, so nothing leaks between tests or into
a developer's `make run` data.
"""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def isolated_storage(settings, tmp_path, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path / "media"
    if "FileBasedCache" in settings.CACHES["default"]["BACKEND"]:
        settings.CACHES = {
            "default": {
                **settings.CACHES["default"],
                "LOCATION": str(tmp_path_factory.getbasetemp() / "cache"),
            }
        }
    cache.clear()
