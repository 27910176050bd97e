"""Settings come from the environment and refuse to start when they are wrong."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

ROOT = Path(__file__).resolve().parents[2]


def clean_environment(**env):
    """The environment of a fresh process, without what the test run itself set."""
    dropped = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    return clean


def load_settings(**env):
    """Import the settings module in a fresh interpreter with this environment."""
    clean = clean_environment(**env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import linkinbio.settings as s; print(s.DATABASES['default']['ENGINE']); "
            "print(s.CACHES['default']['BACKEND']); print(s.DEBUG)",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


def test_sqlite_is_the_default_database():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    engine, cache_backend, debug = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert cache_backend.endswith("FileBasedCache")
    assert debug == "True"


def test_database_and_cache_follow_the_environment():
    result = load_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/example",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    engine, cache_backend, _ = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert cache_backend == "linkinbio.redis_cache.OutageTolerantRedisCache"


def test_bad_database_url_gives_a_clear_error():
    result = load_settings(DATABASE_URL="nosuchdb://whatever")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_without_secret_key_refuses_to_start():
    result = load_settings(DEBUG="False", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_without_token_keys_refuses_to_start():
    result = load_settings(DEBUG="False", SECRET_KEY="x" * 50, TOKEN_ENCRYPTION_KEYS="")
    assert result.returncode != 0
    assert "TOKEN_ENCRYPTION_KEYS" in result.stderr


def test_the_custom_user_model_is_in_use():
    assert settings.AUTH_USER_MODEL == "accounts.User"
    assert get_user_model()._meta.label == "accounts.User"


def test_production_settings_pass_the_deployment_checks():
    env = clean_environment(
        DEBUG="False",
        SECRET_KEY="k" * 20 + "-production-secret-key-for-the-check-only-0123456789",
        TOKEN_ENCRYPTION_KEYS="cHJvZHVjdGlvbi1jaGVjay1rZXktMzItYnl0ZXMtLS0=",
        TIKTOK_SANDBOX="False",
        TIKTOK_CLIENT_KEY="aw-client-key",
        TIKTOK_CLIENT_SECRET="client-secret",
        SITE_URL="https://linkinbio.example",
        ALLOWED_HOSTS="linkinbio.example",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_environment_variable_is_documented():
    source = (ROOT / "linkinbio/settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', source))
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    assert read, "settings.py reads no variable: the pattern is out of date"
    assert sorted(v for v in read if f"`{v}`" not in readme) == []
    assert sorted(v for v in read if f"# {v}=" not in example) == []
