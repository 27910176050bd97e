"""Faults under load on the production shape: `python -m tests.bench.chaos` (`make chaos`).

Starts a throw-away PostgreSQL cluster (initdb under a temp folder), a
redis-server (append-only file, as a production Redis keeps its data) and an
S3 server (moto), each on a free port of 127.0.0.1, never the shared ones,
then `bin/prod-local` on them: gunicorn with 2 workers, the sandbox's own
gunicorn, 2 db_workers and the scheduler. A load of RATE requests a second,
each from a new visitor (pages, link redirects, images), runs throughout.
One page and its link per fault take that fault's views and clicks.

Per fault (Redis stopped, the bucket hung with SIGSTOP, PostgreSQL stopped,
each for FAULT_SECONDS; a db_worker, the scheduler and a gunicorn worker
killed), it prints the answers during the fault and the RECOVERY_SECONDS
after it, how long after the fault the last failed answer came, views and
clicks sent against those counted once the counts are flushed, and whether
background work resumed (a page made due at the end of the fault is synced,
a killed process is back). Every loop is bounded; everything started is
stopped at the end.
"""

import asyncio
import http.client
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg

from tests.bench.load import BROWSER
from tests.bench.servers import ROOT, VENV_BIN, free_port

RATE = int(os.environ.get("CHAOS_RATE", "80"))
FAULT_SECONDS = int(os.environ.get("CHAOS_FAULT_SECONDS", "25"))
BEFORE_SECONDS = 10
RECOVERY_SECONDS = 20
BACKGROUND_SECONDS = 120
REQUEST_TIMEOUT = 10
# Requests waiting for an answer at once; past that the site is not
# answering, and a request due then counts as failed without being sent.
MOST_WAITING = 500
MIX = ("page",) * 8 + ("link", "image")
DB_NAME = "linkinbio_chaos"
FAULTS = ["none", "redis", "bucket", "postgres", "db_worker", "scheduler", "gunicorn_worker"]
TITLES = {
    "none": "no fault",
    "redis": f"Redis stopped {FAULT_SECONDS} s",
    "bucket": f"bucket hung {FAULT_SECONDS} s",
    "postgres": f"PostgreSQL stopped {FAULT_SECONDS} s",
    "db_worker": "a db_worker killed",
    "scheduler": "the scheduler killed",
    "gunicorn_worker": "a gunicorn worker killed",
}


class Services:
    """The throw-away PostgreSQL, Redis and S3 server, and prod-local on them."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.pg_port, self.redis_port, self.s3_port = free_port(), free_port(), free_port()
        self.site_port, self.sandbox_port = free_port(), free_port()
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.redis = self.s3 = self.site = None
        self.pg_data = tmp / "pg"
        self.as_postgres = []
        if os.geteuid() == 0:  # initdb refuses root
            account = pwd.getpwnam("postgres")
            os.chown(tmp, account.pw_uid, account.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    @property
    def database_url(self):
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/{DB_NAME}"

    @property
    def redis_url(self):
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def start(self):
        self.run_as_postgres("initdb", "-D", self.pg_data, "-U", "postgres", "--auth=trust")
        self.start_postgres()
        self.start_redis()
        self.s3 = self.spawn("s3", VENV_BIN / "moto_server", "-H", "127.0.0.1", "-p", self.s3_port)
        env = {
            **os.environ,
            "PORT": str(self.site_port),
            "PROD_LOCAL_SANDBOX_PORT": str(self.sandbox_port),
            "PROD_LOCAL_DB": DB_NAME,
            "PROD_LOCAL_REDIS_URL": self.redis_url,
            "PROD_LOCAL_S3_ENDPOINT": f"http://127.0.0.1:{self.s3_port}",
            "PROD_LOCAL_LOGS": str(self.logs),
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.pg_port),
            "PGUSER": "postgres",
            # Each visitor comes from an address of its own, as through a load balancer.
            "CLIENT_IP_HEADER": "X-Forwarded-For",
        }
        log = open(self.logs / "prod-local.out", "ab")  # noqa: SIM115
        self.site = subprocess.Popen(
            [ROOT / "bin" / "prod-local"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its whole group is stopped at the end
        )
        deadline = time.monotonic() + 300
        while b"prod-local ready" not in (self.logs / "prod-local.out").read_bytes():
            if self.site.poll() is not None or time.monotonic() > deadline:
                sys.exit((self.logs / "prod-local.out").read_text()[-3000:])
            time.sleep(1)

    def spawn(self, name, *command):
        log = open(self.logs / f"{name}.out", "ab")  # noqa: SIM115
        return subprocess.Popen([str(part) for part in command], stdout=log, stderr=log)

    def run_as_postgres(self, *command):
        subprocess.run(
            [*self.as_postgres, *[str(part) for part in command]],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start_postgres(self):
        options = f"-p {self.pg_port} -k {self.tmp} -c listen_addresses=127.0.0.1"
        self.run_as_postgres(
            "pg_ctl", "-D", self.pg_data, "-l", self.tmp / "pg.log", "-o", options, "-w", "start"
        )

    def stop_postgres(self):
        self.run_as_postgres("pg_ctl", "-D", self.pg_data, "-m", "fast", "-w", "stop")

    def start_redis(self):
        self.redis = self.spawn(
            "redis",
            "redis-server",
            "--port",
            self.redis_port,
            "--bind",
            "127.0.0.1",
            "--dir",
            self.tmp,
            "--appendonly",
            "yes",
            "--save",
            "",
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)

    def stop_redis(self):
        self.redis.terminate()  # saves its append-only file, as a production Redis does
        self.redis.wait(timeout=30)

    def pid(self, name):
        return int((self.logs / f"{name}.pid").read_text())

    def gunicorn_worker(self):
        master = self.pid("web")
        children = subprocess.run(
            ["pgrep", "-P", str(master)], capture_output=True, text=True, check=False
        ).stdout.split()
        return int(children[0])

    def stop(self):
        if self.site is not None and self.site.poll() is None:
            os.killpg(self.site.pid, signal.SIGTERM)
            try:
                self.site.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.site.pid, signal.SIGKILL)
        for proc in (self.s3, self.redis):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.terminate()
                proc.wait(timeout=30)
        if (self.pg_data / "postmaster.pid").exists():
            self.stop_postgres()
        shutil.rmtree(self.pg_data, ignore_errors=True)


class Load:
    """RATE requests a second, each from a new visitor, sent on time whatever
    the answers (one asyncio loop in a thread of its own), each answer recorded."""

    def __init__(self, port, images):
        self.port, self.images = port, images
        self.phase, self.target = "none", None  # (page slug, link id)
        self.records = []  # (phase, kind, due at, answered at, status or "failed")
        self.running = True
        self.quiet = False  # only /healthz, slowly: each process stores its counts
        self.thread = threading.Thread(target=lambda: asyncio.run(self.pace()), daemon=True)

    def start(self):
        self.thread.start()

    async def pace(self):
        started, n, pending = time.monotonic(), 0, set()
        while self.running:
            n += 1
            due = started + n / (2 if self.quiet else RATE)
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            if self.quiet:
                job = (self.phase, "health", "/healthz", n, due)
            else:
                slug, link = self.target
                kind = MIX[n % len(MIX)]
                path = {
                    "page": f"/@{slug}",
                    "link": f"/l/{link}",
                    "image": self.images[n % len(self.images)],
                }[kind]
                job = (self.phase, kind, path, n, due)
            if len(pending) >= MOST_WAITING:  # the site answers none of them: a failure too
                self.records.append((*job[:2], due, due, "failed"))
                continue
            task = asyncio.create_task(self.send(*job))
            pending.add(task)
            task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)

    async def send(self, phase, kind, path, n, due):
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"User-Agent: {BROWSER} v{n}\r\nX-Forwarded-For: {visitor_address(n)}\r\n"
            "Connection: close\r\n\r\n"
        )
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.write(request.encode())
                answer = await reader.read()  # to the end: gunicorn closes the connection
                writer.close()
            status = int(answer.split(b" ", 2)[1])
        except (OSError, TimeoutError, ValueError, IndexError):
            status = "failed"
        self.records.append((phase, kind, due, time.monotonic(), status))

    def stop(self):
        self.running = False
        self.thread.join(timeout=REQUEST_TIMEOUT + 5)


def visitor_address(n):
    """The n-th visitor's address, as the proxy would name it (198.18.0.0/15, a
    range for benchmarks: only a header, never a destination)."""
    return f"198.{18 + (n >> 16) % 2}.{(n >> 8) % 256}.{n % 256}"


def sql(services, query, *args):
    with psycopg.connect(services.database_url, connect_timeout=3) as connection:
        return connection.execute(query, args).fetchall()


def make_fault_pages(services):
    """A page with one link for each fault, made with the product's own code."""
    names = " ".join(f"chaos_{fault}" for fault in FAULTS)
    code = f"""
from accounts.models import User
from pages.models import Link, Page
from pages.source import Profile
for name in "{names}".split():
    user = User.objects.create(username=name)
    page = Page.create_for(user, Profile(username=name, display_name=name))
    link = Link.objects.create(page=page, title="Shop", url="https://shop.example/")
    print(name, page.slug, link.pk)
"""
    env = {
        **os.environ,
        "DATABASE_URL": services.database_url,
        "REDIS_URL": services.redis_url,
        "TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend",
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    targets = {}
    for line in out.split("\n"):
        if line.startswith("chaos_"):
            name, slug, link = line.split()
            targets[name.removeprefix("chaos_")] = (slug, int(link))
    return targets


def images_of(port, slug):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", f"/@{slug}", headers={"User-Agent": BROWSER})
    html = connection.getresponse().read().decode()
    return sorted(set(re.findall(r'/media/pages/\d+/[^"\s?]+', html)))[:12]


def warm(port, slug, times=20):
    """Every gunicorn worker has served the page (as a crawler: no view counted)."""
    for _ in range(times):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", f"/@{slug}", headers={"User-Agent": "curl/8.0 (warm-up)"})
            connection.getresponse().read()
        except OSError:
            pass  # a busy site: the load's own requests warm it
        finally:
            connection.close()


def inject(services, fault):
    """Start the fault; returns what ends it (None for a kill: it has nothing to undo)."""
    if fault == "redis":
        services.stop_redis()
        return services.start_redis
    if fault == "bucket":
        services.s3.send_signal(signal.SIGSTOP)
        return lambda: services.s3.send_signal(signal.SIGCONT)
    if fault == "postgres":
        services.stop_postgres()
        return services.start_postgres
    if fault in ("db_worker", "scheduler", "gunicorn_worker"):
        pid = {
            "db_worker": lambda: services.pid("worker-1"),
            "scheduler": lambda: services.pid("scheduler"),
            "gunicorn_worker": services.gunicorn_worker,
        }[fault]()
        os.kill(pid, signal.SIGKILL)
    return None


def background_resumed(services, fault, restored_at):
    """Whether background work goes on: a page made due now is synced, a killed process is back."""
    notes = []
    if fault in ("db_worker", "scheduler"):
        name = "worker-1" if fault == "db_worker" else "scheduler"
        before = services.pid(name)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pid = services.pid(name)
            if pid != before and Path(f"/proc/{pid}").exists():
                notes.append(f"{name} back in {time.monotonic() - restored_at:.0f} s")
                break
            time.sleep(0.5)
        else:
            notes.append(f"{name} not back")
    if fault == "scheduler":
        reseeded = sql(
            services,
            "SELECT count(*) FROM linkinbio_jobrun WHERE job = 'linkinbio.demo.reseed_showcase' "
            "AND started_at > now() - interval '60 seconds'",
        )[0][0]
        notes.append("showcase re-seeded at restart" if reseeded else "no job re-run at restart")
    marked = sql(
        services,
        "UPDATE pages_page SET sync_due_at = now(), last_synced_at = now() - interval '1 day', "
        "sync_backoff_until = NULL, sync_failures = 0 WHERE slug = 'mayacooks' RETURNING now()",
    )[0][0]
    deadline = time.monotonic() + BACKGROUND_SECONDS
    while time.monotonic() < deadline:
        synced = sql(services, "SELECT last_synced_at FROM pages_page WHERE slug = 'mayacooks'")
        if synced[0][0] and synced[0][0] > marked:
            notes.append(f"sync after {time.monotonic() - restored_at:.0f} s")
            return "; ".join(notes)
        time.sleep(1)
    notes.append(f"no sync in {BACKGROUND_SECONDS} s")
    return "; ".join(notes)


def run_fault(services, load, fault, target):
    load.phase, load.target = fault, target
    time.sleep(BEFORE_SECONDS)
    started = time.monotonic()
    undo = inject(services, fault)
    if undo is not None:
        time.sleep(FAULT_SECONDS)
        undo()
    restored = time.monotonic()
    background = background_resumed(services, fault, restored)
    time.sleep(max(0.0, restored + RECOVERY_SECONDS - time.monotonic()))
    return {"started": started, "restored": restored, "background": background}


def summary(load, fault, timing):
    during = [
        r
        for r in list(load.records)
        if r[0] == fault and timing["started"] <= r[2] <= timing["restored"] + RECOVERY_SECONDS
    ]
    kinds = {kind: Counter() for kind in ("page", "link", "image")}
    last_bad = None
    for _, kind, sent, answered, status in during:
        ok = status != "failed" and status < 500
        kinds[kind]["ok" if ok else ("failed" if status == "failed" else f"{status}")] += 1
        if not ok and kind != "image":
            last_bad = max(last_bad or answered, answered)
    recover = 0 if last_bad is None else max(0.0, last_bad - timing["restored"])
    return kinds, recover


def counted(services, slug, link):
    views = sql(
        services,
        "SELECT coalesce(sum(c.count), 0) FROM pages_dailycount c JOIN pages_page p "
        "ON p.id = c.page_id WHERE p.slug = %s AND c.metric = 'views'",
        slug,
    )[0][0]
    clicks = sql(services, "SELECT clicks FROM pages_link WHERE id = %s", link)[0][0]
    return views, clicks


def sent(load, fault):
    answers = Counter((r[1], r[4]) for r in load.records if r[0] == fault)
    return answers[("page", 200)], answers[("link", 302)]


def settle(services, load, targets):
    """Quiet load until every fault's counts are in the database (or stop changing)."""
    load.quiet = True
    deadline, last, unchanged = time.monotonic() + 300, None, 0
    while time.monotonic() < deadline:
        time.sleep(10)
        now = {fault: counted(services, *targets[fault]) for fault in FAULTS}
        if all(now[fault] == sent(load, fault) for fault in FAULTS):
            return now
        unchanged = unchanged + 1 if now == last else 0
        if unchanged >= 9:  # 90 s without a change: what is missing is lost
            return now
        last = now
    return last


def table(rows):
    head = (
        "| fault | pages 2xx/5xx/failed | links 3xx/5xx/failed | images 2xx/5xx/failed "
        "| last failure after end | views sent/counted | clicks sent/counted | background |"
    )
    lines = [head, "|" + "---|" * 8]
    for row in rows:

        def cell(counts):
            bad = sum(n for key, n in counts.items() if key not in ("ok", "failed"))
            codes = ",".join(sorted(k for k in counts if k not in ("ok", "failed")))
            return f"{counts['ok']}/{bad}{f' ({codes})' if codes else ''}/{counts['failed']}"

        kinds = row["kinds"]
        lines.append(
            f"| {TITLES[row['fault']]} | {cell(kinds['page'])} | {cell(kinds['link'])} "
            f"| {cell(kinds['image'])} | {row['recover']:.1f} s "
            f"| {row['views'][0]}/{row['views'][1]} | {row['clicks'][0]}/{row['clicks'][1]} "
            f"| {row['background']} |"
        )
    return "\n".join(lines)


def main():
    for tool in ("initdb", "pg_ctl", "redis-server"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing (PostgreSQL's server package, redis-server)")
    tmp = Path(tempfile.mkdtemp(prefix="linkinbio-chaos-"))
    services = Services(tmp)
    load = None
    try:
        print(
            f"== starting PostgreSQL, Redis, the S3 server and prod-local under {tmp}", flush=True
        )
        services.start()
        targets = make_fault_pages(services)
        images = images_of(services.site_port, "mayacooks")
        for slug, _ in targets.values():
            warm(services.site_port, slug)
        load = Load(services.site_port, images)
        load.target = targets["none"]
        load.start()
        rows = []
        for fault in FAULTS:
            print(f"== {TITLES[fault]}", flush=True)
            timing = run_fault(services, load, fault, targets[fault])
            kinds, recover = summary(load, fault, timing)
            rows.append({"fault": fault, "kinds": kinds, "recover": recover, **timing})
        print("== waiting for every count to be stored", flush=True)
        final = settle(services, load, targets)
        for row in rows:
            views, clicks = sent(load, row["fault"])
            row["views"] = (views, final[row["fault"]][0])
            row["clicks"] = (clicks, final[row["fault"]][1])
        load.stop()
        print(
            f"\n{RATE} requests a second, each from a new visitor (8 pages, 1 link, 1 image "
            f"in 10); answers during each fault and the {RECOVERY_SECONDS} s after it:\n"
        )
        print(table(rows))
        print(f"\nLogs: {services.logs}")
    finally:
        if load is not None:
            load.running = False
        services.stop()


if __name__ == "__main__":
    main()
