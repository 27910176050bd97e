"""Alice's avatar and covers on either storage, local disk or an S3 bucket (a
real S3 protocol server): mirrored under names made of their content, served
by the site, replaced, deleted with her account, and hidden while her page
is suspended."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage, storages

from pages import publish
from pages.models import Page
from tests.helpers import make_creator, page_of, png, retire_after_cached_pages_expire, sync

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_storage")]


@pytest.fixture
def synced(alice, tiktok, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    return page_of(alice)


def stored(page):
    """The names of the files stored for a page."""
    try:
        _, files = default_storage.listdir(f"pages/{page.pk}")
    except FileNotFoundError:
        return set()
    return {f"pages/{page.pk}/{name}" for name in files}


def read(name):
    with default_storage.open(name, "rb") as file:
        return file.read()


def pictures(page):
    return [page.avatar.name] + [video.cover.name for video in page.videos.all()]


def test_a_sync_stores_alices_pictures_under_names_made_of_their_content(synced):
    names = pictures(synced)
    assert len(names) == 6
    assert stored(synced) == set(names)
    for name in names:
        data = read(name)
        assert data[8:12] == b"WEBP"
        assert name.endswith(f"-{hashlib.blake2b(data, digest_size=8).hexdigest()}.webp")


def test_visitors_get_the_pictures_from_the_site_and_any_cache_may_keep_them(synced, visitor):
    url = synced.avatar.url
    assert url.startswith(f"/media/pages/{synced.pk}/a-")
    response = visitor.get(url)
    assert response.status_code == 200
    assert b"".join(response) == read(synced.avatar.name)
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Surrogate-Key"] == f"page-{synced.pk}"
    again = visitor.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert visitor.get(synced.videos.first().cover.url).status_code == 200


def test_the_public_page_shows_the_pictures_at_the_sites_addresses(synced, visitor):
    html = visitor.get("/@alice").content.decode()
    assert f'src="{synced.avatar.url}"' in html
    assert all(f'src="{video.cover.url}"' in html for video in synced.videos.all())


def test_a_new_avatar_replaces_the_old_one(
    synced, alice, tiktok, visitor, django_capture_on_commit_callbacks
):
    old = synced.avatar
    tiktok.profile["avatar_url_100"] = "https://cdn.example.test/avatar/alice-new.jpg?x-expires=2"
    tiktok.image = png("blue")
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    page = page_of(alice)
    assert page.avatar.name != old.name
    assert visitor.get(page.avatar.url).status_code == 200
    assert visitor.get(old.url).status_code == 200  # pages cached before still show it
    with django_capture_on_commit_callbacks(execute=True):
        retire_after_cached_pages_expire(alice)
    assert page.avatar.name in stored(page) and old.name not in stored(page)
    assert visitor.get(old.url).status_code == 404


def test_the_same_picture_at_a_new_address_keeps_its_one_file(
    synced, alice, tiktok, django_capture_on_commit_callbacks
):
    before = stored(synced)
    tiktok.profile["avatar_url_100"] = "https://cdn2.example.test/avatar/alice.jpg?x-expires=3"
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    page = page_of(alice)
    assert page.avatar.name == synced.avatar.name
    assert stored(page) == before
    assert page.version == synced.version  # nothing a visitor sees changed


def test_deleting_alices_account_deletes_her_pictures_and_not_bobs(
    synced, alice, tiktok, django_capture_on_commit_callbacks
):
    bob = make_creator("bob", page=True)
    with django_capture_on_commit_callbacks(execute=True):
        sync(bob)
    bobs = page_of(bob)
    assert stored(synced) and stored(bobs)
    with django_capture_on_commit_callbacks(execute=True):
        alice.delete()
    assert stored(synced) == set()
    assert stored(bobs) == set(pictures(bobs))


def test_a_suspended_pages_pictures_stop_being_served_and_come_back(synced, visitor):
    urls = [synced.avatar.url, synced.videos.first().cover.url]
    synced.is_suspended = True
    synced.save(update_fields=["is_suspended"])
    publish.page_changed(synced)
    assert [visitor.get(url).status_code for url in urls] == [404, 404]
    assert stored(synced) == set(pictures(synced))  # kept, should the suspension be lifted
    Page.objects.filter(pk=synced.pk).update(is_suspended=False)
    assert [visitor.get(url).status_code for url in urls] == [200, 200]


def test_the_export_links_to_pictures_the_site_serves(synced, visitor, settings):
    data = synced.export()
    urls = [data["profile"]["avatar_url"]] + [v["cover_url"] for v in data["videos"]]
    assert len(urls) == 6
    for url in urls:
        assert url.startswith(f"{settings.SITE_URL}/media/pages/{synced.pk}/")
        assert visitor.get(url.removeprefix(settings.SITE_URL)).status_code == 200


def test_each_picture_is_kept_where_the_settings_say(synced, media_storage, settings):
    if media_storage is None:
        assert (Path(settings.MEDIA_ROOT) / synced.avatar.name).read_bytes()[8:12] == b"WEBP"
        return
    head = media_storage.Object(f"media/{synced.avatar.name}")
    assert head.content_type == "image/webp"
    assert head.cache_control == "public, max-age=31536000, immutable"


def test_a_bucket_out_of_reach_costs_pictures_not_the_page_and_is_left_alone_a_while(
    synced, visitor, media_storage, monkeypatch, settings
):
    if media_storage is None:
        pytest.skip("a local disk answers as long as the machine does")
    from botocore.exceptions import EndpointConnectionError

    asked = []

    def unreachable(storage, name):
        asked.append(name)
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")

    monkeypatch.setattr(type(storages["default"]), "read_object", unreachable)
    pictures = [visitor.get(video.cover.url) for video in synced.videos.all()]
    assert [picture.status_code for picture in pictures] == [503] * len(pictures)
    for picture in pictures:
        assert picture["Cache-Control"] == "no-store"  # no cache keeps the failure
        assert 0 < int(picture["Retry-After"]) <= settings.MEDIA_BUCKET_RETRY_SECONDS
    assert len(asked) == 1  # the others answered at once, without waiting on the bucket
    assert visitor.get("/@alice").status_code == 200


def test_alices_deletion_goes_through_while_the_storage_is_out_of_reach(
    synced, alice, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise OSError("storage out of reach")

    monkeypatch.setattr(type(storages["default"]), "delete", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        alice.delete()
    assert not Page.objects.filter(pk=synced.pk).exists()


def test_alice_still_sees_her_suspended_pages_pictures_and_no_one_else_does(
    synced, visitor, client
):
    url = synced.avatar.url
    Page.objects.filter(pk=synced.pk).update(is_suspended=True)
    client.force_login(synced.user)
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "private, no-store"  # never kept by a CDN
    assert visitor.get(url).status_code == 404
    client.force_login(make_creator("bob"))
    assert client.get(url).status_code == 404
