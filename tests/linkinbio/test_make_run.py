"""`make run`, stopped with Ctrl-C, stops every process it started and says
nothing alarming: no traceback, even while the demo is still being seeded,
and make ends by the Ctrl-C itself, as any command does (a shell says
nothing and $? is 130), not killed by its own recipe (a shell prints
"Terminated" and $? is 143). The site's processes are stood in for by a
Python that notes its process id and sleeps, so only the Makefile's own
shell is under test."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

# Each notes its id once running, when Python answers Ctrl-C as it does.
STAND_IN = """#!/bin/sh
exec {python} -c "import os, time
with open('{started}', 'a') as started: print(os.getpid(), file=started)
time.sleep(60)"
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
    stand_in.write_text(STAND_IN.format(started=started, python=sys.executable))
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
            if started.exists() and len(started.read_text().split()) == 5:
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
    assert "Traceback" not in text
    assert make.returncode == -signal.SIGINT
    assert not [pid for pid in pids if _alive(pid)]
