"""`make run`, stopped with Ctrl-C, stops every process it started and says
nothing alarming. The site's processes are stood in for by a script that
notes its process id and sleeps (the seeding step returns at once), so only
the Makefile's own shell is under test."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

STAND_IN = """#!/bin/sh
echo $$ >> "{started}"
case "$*" in *seed_demo*) exit 0 ;; esac
exec sleep 60
"""


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie left for its parent to reap has stopped all the same.
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ", 1)[-1].startswith("Z"))


def test_ctrl_c_stops_make_run_and_every_process_without_a_crash(tmp_path):
    started = tmp_path / "started"
    stand_in = tmp_path / "python"
    stand_in.write_text(STAND_IN.format(started=started))
    stand_in.chmod(0o755)

    make = subprocess.Popen(
        ["make", "--no-print-directory", "-o", "demo", "run", f"PY={stand_in}", "PORT=1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal gives it
        # A terminal's Ctrl-C reaches a process that does not ignore it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        for _ in range(200):
            if started.exists() and len(started.read_text().split()) == 4:
                break
            time.sleep(0.05)
        pids = [int(pid) for pid in started.read_text().split()]
        os.killpg(make.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        output, _ = make.communicate(timeout=20)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
    text = output.decode()
    assert "Segmentation fault" not in text
    assert "Error" not in text
    assert not [pid for pid in pids if _alive(pid)]
