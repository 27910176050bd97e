"""Each process keeps the pages it served lately in memory, in front of the
shared cache. A visitor may meet any process behind the load balancer: after
a creator's edit, none of them serves the old page for longer than
PAGE_MEMORY_CHECK_SECONDS, and the process that made the edit serves the new
one at once."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from pages import cache as page_cache
from pages import publish
from tests.helpers import page_of, sync

ROOT = Path(__file__).resolve().parents[2]

# Another web process: reads /@<slug> the way the warm view does (state, then
# the rendered screen), for `seconds`, printing when it read which version.
READER = """
import sys, time
import django
django.setup()
from django.core.cache import cache
from pages import cache as page_cache

shared_reads = 0
shared_get = cache.get
def counting_get(*args, **kwargs):
    global shared_reads
    shared_reads += 1
    return shared_get(*args, **kwargs)
cache.get = counting_get

slug, seconds = sys.argv[1], float(sys.argv[2])
end = time.monotonic() + seconds
while time.monotonic() < end:
    started = time.monotonic()
    state = page_cache.get_state(slug)
    entry = state and page_cache.get_html(state["id"], state["version"], 1)
    served = state["version"] if entry else None
    print(f"{started} {served}", flush=True)
    time.sleep(0.005)
print(f"shared {shared_reads}", flush=True)
"""


def start_reader(slug, seconds):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "linkinbio.settings"}
    if "FileBasedCache" in settings.CACHES["default"]["BACKEND"]:
        env["CACHE_DIR"] = str(settings.CACHES["default"]["LOCATION"])
    return subprocess.Popen(
        [sys.executable, "-c", READER, slug, str(seconds)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db
def test_no_process_serves_an_old_version_for_longer_than_its_bound(alice, tiktok, visitor):
    sync(alice)
    assert visitor.get("/@alice").status_code == 200  # rendered into the shared cache
    old = page_of(alice).version
    reader = start_reader("alice", seconds=4.0)
    try:
        first = reader.stdout.readline().split()
        assert first[1] == str(old), "the other process serves the page as it was"
        for _ in range(20):  # let it settle into serving from its memory
            reader.stdout.readline()

        page = page_of(alice)
        page.title_override = "Alice, new title"
        page.save()
        publish.page_changed(page)  # the creator's edit: the shared cache has the new version now
        bumped_at = time.monotonic()
        response = visitor.get("/@alice")  # this process: the new page at once
        assert "Alice, new title" in response.content.decode()

        out, _ = reader.communicate(timeout=60)
    finally:
        reader.kill()
    reads = [line.split() for line in out.splitlines() if not line.startswith("shared")]
    shared_reads = int(out.splitlines()[-1].split()[1])
    old_reads = [float(t) for t, version in reads if version == str(old)]
    new_reads = [float(t) for t, version in reads if version == str(page.version)]

    assert new_reads, "the other process never served the new version"
    # Old only up to the bound after the change (never after any new one).
    assert max(old_reads, default=0) < bumped_at + settings.PAGE_MEMORY_CHECK_SECONDS
    assert max(old_reads, default=0) < min(new_reads)
    # And most reads came from its memory, not from the shared cache.
    assert shared_reads < len(reads) / 5


@pytest.mark.django_db
def test_the_memory_stays_within_its_bounds():
    memory = page_cache.Memory(max_entries=3, max_bytes=1000)
    for n in range(5):
        memory.set(f"page {n}", n, size=100)
    assert [memory.get(f"page {n}") for n in range(5)] == [None, None, 2, 3, 4]

    memory.get("page 2")  # used lately: kept
    memory.set("big", "x", size=800)  # a fourth entry: the least used goes
    assert memory.get("page 3") is None
    assert (memory.get("page 2"), memory.get("page 4"), memory.get("big")) == (2, 4, "x")
    memory.set("page 5", 5, size=100)  # 1100 bytes: the least used go again
    assert memory.get("page 2") is None and memory.get("page 5") == 5
    assert memory.size <= 1000

    memory.set("too big", "y", size=1001)  # larger than the whole memory: not kept
    assert memory.get("too big") is None
    assert memory.get("big") == "x"
