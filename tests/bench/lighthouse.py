"""Lighthouse scores of a page, with Debian's Chromium.

Lighthouse comes from the npm registry into var/lighthouse the first time
(pinned below); without npm or Chromium the step reports why and is skipped.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.bench.servers import ROOT

VERSION = "12.8.2"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
HOME = ROOT / "var" / "lighthouse"
FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-sync "
    "--disable-background-networking --disable-component-update"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def install():
    """The lighthouse command, installing it on first use; (path, None) or (None, why)."""
    binary = HOME / "node_modules" / ".bin" / "lighthouse"
    if binary.exists():
        return binary, None
    if not CHROMIUM.exists():
        return None, f"{CHROMIUM} is missing (apt-get install chromium)"
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm is missing"
    HOME.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--prefix", str(HOME), "--no-audit", "--no-fund", f"lighthouse@{VERSION}"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0 or not binary.exists():
        return None, "npm install lighthouse failed: " + result.stderr.strip()[-200:]
    return binary, None


def report(url):
    """Lighthouse's whole report of the URL (mobile, simulated throttling), or (None, why)."""
    binary, why = install()
    if binary is None:
        return None, why
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.json"
        result = subprocess.run(
            [
                str(binary),
                url,
                "--quiet",
                f"--chrome-flags={FLAGS}",
                f"--only-categories={','.join(CATEGORIES)}",
                "--output=json",
                f"--output-path={path}",
            ],
            env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
            capture_output=True,
            text=True,
            timeout=180,
        )
        if result.returncode != 0 or not path.exists():
            return None, "lighthouse failed: " + result.stderr.strip()[-200:]
        return json.loads(path.read_text()), None


def scores(url):
    """{category: score 0-100} for the URL, or (None, why)."""
    found, why = report(url)
    if found is None:
        return None, why
    categories = found["categories"]
    return {name: round(categories[name]["score"] * 100) for name in CATEGORIES}, None
