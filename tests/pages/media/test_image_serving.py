"""Alice's pictures reach her visitors as cheaply as static files, and a
bucket or database in trouble costs a picture, never the page: one bucket
read per picture at most, kept in memory after it, no policy header an image
does not need, and a quick 503 (with when to come back) rather than a worker
held by a silent bucket or a 500 while the database is away."""

import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.storage import default_storage, storages
from django.db import OperationalError, connection
from django.utils import timezone

from linkinbio.bucket import BucketStorage
from linkinbio.media_storage import storage_from_url
from tests.bench.servers import free_port
from tests.helpers import page_of, retire_after_cached_pages_expire, sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(alice, tiktok, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    return page_of(alice)


def covers(page):
    return [video.cover.url for video in page.videos.all()]


@pytest.fixture
def bucket_reads(monkeypatch):
    """The HTTP requests sent to the bucket, as (method, path)."""
    from botocore.endpoint import Endpoint

    sent = []
    send = Endpoint._send

    def recording(endpoint, request):
        sent.append((request.method, request.url.split("?")[0]))
        return send(endpoint, request)

    monkeypatch.setattr(Endpoint, "_send", recording)
    return sent


@pytest.mark.usefixtures("media_storage")
def test_pictures_carry_their_caching_headers_and_no_page_policy(synced, visitor):
    for url in [synced.avatar.url, *covers(synced)]:
        response = visitor.get(url)
        assert response.status_code == 200
        assert b"".join(response) == default_storage.open(url.removeprefix("/media/")).read()
        assert response["Content-Type"] == "image/webp"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response["Surrogate-Key"] == f"page-{synced.pk}"
        assert "Content-Disposition" not in response
        # A policy guards a document; on a picture it is only bytes sent for nothing.
        assert "Content-Security-Policy" not in response
        assert "Set-Cookie" not in response
        again = visitor.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304


def test_a_picture_asked_under_a_host_the_site_does_not_serve_is_refused(synced, visitor):
    cover = covers(synced)[0]
    assert visitor.get(cover).status_code == 200
    assert visitor.get(cover, HTTP_HOST="links.attacker.example").status_code == 400


def test_a_picture_costs_the_bucket_one_read_and_then_none(
    media_storage, synced, visitor, bucket_reads
):
    if media_storage is None:
        pytest.skip("no bucket: the pictures are on local disk")
    cover = covers(synced)[0]
    assert visitor.get(cover).status_code == 200
    assert [method for method, _ in bucket_reads] == ["GET"]  # no HEAD before it
    assert [visitor.get(cover).status_code for _ in range(3)] == [200] * 3
    assert len(bucket_reads) == 1  # kept in this process's memory
    missing = f"/media/pages/{synced.pk}/c-0000000000000000.webp"
    assert visitor.get(missing).status_code == 404
    assert [method for method, _ in bucket_reads] == ["GET", "GET"]


def test_a_name_the_bucket_refuses_is_missing_not_a_bucket_outage(
    media_storage, synced, visitor, monkeypatch
):
    # Credentials that may not list the bucket get 403 for a missing file:
    # one made-up name must not make every picture answer 503.
    if media_storage is None:
        pytest.skip("no bucket: the pictures are on local disk")
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    call = BaseClient._make_api_call

    def refusing(client, operation, params):
        if operation == "GetObject" and params["Key"].endswith("c-0000000000000000.webp"):
            answer = {
                "Error": {"Code": "AccessDenied"},
                "ResponseMetadata": {"HTTPStatusCode": 403},
            }
            raise ClientError(answer, operation)
        return call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", refusing)
    assert visitor.get(f"/media/pages/{synced.pk}/c-0000000000000000.webp").status_code == 404
    assert [visitor.get(cover).status_code for cover in covers(synced)[:2]] == [200, 200]


def test_a_picture_too_big_to_keep_is_read_each_time(
    media_storage, synced, visitor, bucket_reads, settings
):
    if media_storage is None:
        pytest.skip("no bucket: the pictures are on local disk")
    settings.MEDIA_MEMORY_FILE_BYTES = 10
    cover = covers(synced)[0]
    assert [visitor.get(cover).status_code for _ in range(2)] == [200, 200]
    assert [method for method, _ in bucket_reads] == ["GET", "GET"]


def test_a_picture_replaced_by_a_sync_is_not_served_from_memory(
    media_storage, synced, alice, tiktok, visitor, django_capture_on_commit_callbacks
):
    from tests.helpers import png

    old = synced.avatar.url
    assert visitor.get(old).status_code == 200
    tiktok.profile["avatar_url_100"] = "https://cdn.example.test/avatar/alice-new.jpg?x-expires=2"
    tiktok.image = png("blue")
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    assert visitor.get(old).status_code == 200  # pages cached before still show it
    with django_capture_on_commit_callbacks(execute=True):
        retire_after_cached_pages_expire(alice)
    assert visitor.get(old).status_code == 404
    assert visitor.get(page_of(alice).avatar.url).status_code == 200


def test_a_database_outage_costs_pictures_a_503_not_an_error(synced, visitor):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    cover = covers(synced)[0]
    with connection.execute_wrapper(refuse):
        response = visitor.get(cover)
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response["Cache-Control"] == "no-store"
    assert visitor.get(cover).status_code == 200  # once it is back


@pytest.fixture
def own_bucket_server(settings):
    """An S3 server of this test's own (it is stopped, not the shared one),
    holding the default storage."""
    port = free_port()
    moto = Path(sys.executable).parent / "moto_server"
    server = subprocess.Popen(  # noqa: S603
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(endpoint + "/", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        url = f"s3://test:test@test-{uuid.uuid4().hex[:12]}/media?endpoint_url={endpoint}"
        settings.STORAGES = {**settings.STORAGES, "default": storage_from_url(url)}
        settings.MEDIA_BUCKET_WAIT_SECONDS = 60  # a busy test machine is not a slow bucket
        storages["default"].ensure_bucket()
        yield server
    finally:
        server.send_signal(signal.SIGCONT)
        server.terminate()
        server.wait(timeout=10)


def test_a_silent_bucket_costs_pictures_a_quick_503_and_the_page_still_answers(
    own_bucket_server, synced, visitor, monkeypatch, settings
):
    started = []
    read = BucketStorage.read_object
    monkeypatch.setattr(
        BucketStorage,
        "read_object",
        lambda storage, name: started.append(name) or read(storage, name),
    )
    first, *others = covers(synced)
    assert visitor.get(first).status_code == 200

    # Stopped, not gone: connections are taken and nothing ever answers.
    own_bucket_server.send_signal(signal.SIGSTOP)
    settings.MEDIA_BUCKET_WAIT_SECONDS = 0.5
    timed_out = visitor.get(others[0])
    assert timed_out.status_code == 503
    retry_after = int(timed_out["Retry-After"])
    assert 0 < retry_after <= settings.MEDIA_BUCKET_RETRY_SECONDS
    asked = len(started)
    # Every process leaves the bucket alone a while: no other picture waits on it.
    assert [visitor.get(url).status_code for url in others[1:]] == [503] * len(others[1:])
    assert len(started) == asked
    assert visitor.get(first).status_code == 200  # kept in memory
    assert visitor.get("/@alice").status_code == 200
    assert visitor.get("/@alice?page=1").status_code == 200

    own_bucket_server.send_signal(signal.SIGCONT)
    settings.MEDIA_BUCKET_WAIT_SECONDS = 60
    with time_machine.travel(timezone.now() + timedelta(seconds=retry_after + 1)):
        assert visitor.get(others[0]).status_code == 200


def test_the_bucket_client_gives_up_on_a_silent_bucket(media_storage):
    if media_storage is None:
        pytest.skip("no bucket: the pictures are on local disk")
    config = storages["default"].connection.meta.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (2, 5)
    assert config.retries["total_max_attempts"] == 2  # one retry
