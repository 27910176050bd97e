"""Processes for the benchmarks: the site and the TikTok sandbox under gunicorn,
and the task worker, all on 127.0.0.1 with a throw-away database, cache and
media folder."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_environment():
    """Production-like settings (DEBUG off, whitenoise manifest) in a temp folder."""
    tmp = Path(tempfile.mkdtemp(prefix="linkinbio-bench-"))
    site_port, tiktok_port = free_port(), free_port()
    tiktok = f"http://127.0.0.1:{tiktok_port}/sandbox/tiktok"
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": "bench-" + Fernet.generate_key().decode(),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Section 8 sends each visitor's address as a proxy would.
        "CLIENT_IP_HEADER": "X-Forwarded-For",
        "SITE_URL": f"http://127.0.0.1:{site_port}",
        "SECURE_SSL_REDIRECT": "False",
        "TIKTOK_SANDBOX": "True",
        "TIKTOK_SANDBOX_ALLOW_PRODUCTION": "True",
        "TIKTOK_CLIENT_KEY": "",
        "TIKTOK_AUTH_BASE": tiktok,
        "TIKTOK_API_BASE": tiktok,
        "TIKTOK_PLAYER_BASE": tiktok,
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "REDIS_URL": "",
        "CACHE_DIR": str(tmp / "cache"),
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "linkinbio.settings",
    }
    return env, tmp, site_port, tiktok_port


class Processes:
    """Starts and stops the benchmark's server processes (always stopped at exit)."""

    def __init__(self, env, tmp):
        self.env, self.tmp, self.running = env, tmp, {}

    def start_gunicorn(self, name, port, workers=2):
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "linkinbio.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--timeout",
                "60",
                "--log-level",
                "error",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
        )
        self.running[name] = proc
        wait_for(f"http://127.0.0.1:{port}/healthz", name)

    def start_worker(self):
        log = open(self.tmp / "worker.log", "ab")  # noqa: SIM115
        self.running["worker"] = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
        )

    def stop(self, name):
        proc = self.running.pop(name, None)
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def stop_all(self):
        for name in list(self.running):
            self.stop(name)


def wait_for(url, name, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not start on {url}")


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
