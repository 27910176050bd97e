"""HTTP load for 127.0.0.1: a small generator of our own (no tool to install),
and `wrk` for the throughput figure when it is installed."""

import http.client
import re
import shutil
import statistics
import subprocess
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from urllib.parse import urlsplit

BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 musical_ly_35.0"
)


def get(url, headers=None, timeout=30):
    """(status, body, response headers, seconds) of one GET."""
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1", "benchmarks only talk to 127.0.0.1"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    started = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": BROWSER, **(headers or {})})
        response = conn.getresponse()
        body = response.read()
        return response.status, body, dict(response.getheaders()), time.perf_counter() - started
    finally:
        conn.close()


def concurrent_visits(urls, concurrency):
    """GET every URL with `concurrency` visitors at once; returns the statuses."""
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(lambda url: get(url)[0], urls))


def latencies(urls):
    """Sequential visits; returns the seconds each took."""
    return [get(url)[3] for url in urls]


def summary(seconds):
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered), p95


def _hammer(url, seconds, threads):
    count = [0]
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run():
        done = bad = 0
        while time.perf_counter() < deadline:
            status = get(url)[0]
            done += 1
            bad += status != 200
        with lock:
            count[0] += done
            errors[0] += bad

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return count[0], errors[0]


def throughput(url, seconds=4.0, processes=2, threads=4):
    """Requests per second over `seconds` from several client processes."""
    with ProcessPoolExecutor(max_workers=processes) as pool:
        futures = [pool.submit(_hammer, url, seconds, threads) for _ in range(processes)]
        results = [f.result(timeout=seconds + 60) for f in futures]
    total = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    return total / seconds, errors


def wrk_path():
    """The `wrk` load generator (Debian package `wrk`), or None when not installed."""
    return shutil.which("wrk")


def wrk_throughput(url, seconds=4.0, threads=2, connections=16, headers=None):
    """Requests per second over `seconds` measured by wrk, and the failed requests."""
    rps, errors, _ = wrk_round(url, seconds, threads, connections, headers)
    return rps, errors


def wrk_round(url, seconds, threads=2, connections=16, headers=None, script=None, args=()):
    """One wrk round: requests per second, failed requests and the slowest
    request in seconds. `script` (a Lua file) may make each request, given `args`."""
    assert urlsplit(url).hostname == "127.0.0.1", "benchmarks only talk to 127.0.0.1"
    command = [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s"]
    for name, value in {"User-Agent": BROWSER, **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    if args:
        command += ["--", *args]
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors += sum(int(n) for n in socket.groups()) if socket else 0
    value, unit = re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\b", out).groups()
    worst = float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]
    return rps, errors, worst
