"""A fresh server process has loaded what its first visitors need before it
serves them, and its collector never walks what it loaded again: the first
visitors after a start or a deploy wait for neither."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What the process reports once gunicorn has imported the application.
REPORT = """
import gc, json, sys
import linkinbio.wsgi
import ua_parser
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "modules": sorted(sys.modules),
    "agent_rules_loaded": "parser" in vars(ua_parser),
}))
"""
# Every app's views, the ones no import reaches before a request is resolved included.
VIEWS = {
    "linkinbio.views",
    "accounts.site_views",
    "public.views",
    "editor.views",
    "editor.address_views",
    "stats.views",
}


def test_a_fresh_worker_has_its_views_and_agent_rules_loaded_and_frozen():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-c", REPORT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert VIEWS - set(report["modules"]) == set()
    assert report["agent_rules_loaded"]
    # The loaded site is about 100,000 objects; nearly all set aside.
    assert report["frozen"] > 50_000
