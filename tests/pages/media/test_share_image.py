"""Shared on TikTok, Instagram or in a chat, Alice's page shows a 1200x630
picture of her avatar, name and handle. It is made in the background when
what it shows changes, never while a visitor waits; her avatar itself is
mirrored sharp enough for a phone's screen."""

from io import BytesIO

import pytest
from django.tasks import default_task_backend
from PIL import Image

from pages.media import share_image
from pages.media.images import AVATAR_SIZE
from pages.media.share_image import render_share_image
from tests.editor.test_appearance import LOOK
from tests.helpers import page_of, png, sync


def queued_pictures():
    return [r.args[0] for r in default_task_backend.results if r.task.name == "render_share_image"]


def run_queued_pictures():
    for page_id in queued_pictures():
        render_share_image.call(page_id)
    default_task_backend.clear()


def og_image(html):
    start = html.index('<meta property="og:image" content="') + len(
        '<meta property="og:image" content="'
    )
    return html[start : html.index('"', start)]


def test_the_avatar_is_mirrored_at_twice_the_size_it_is_shown(alice, tiktok):
    tiktok.profile["avatar_large_url"] = "https://cdn.example.test/avatar/alice-720.jpg"
    tiktok.image = png(size=(720, 720))
    sync(alice)
    with page_of(alice).avatar.open("rb") as file, Image.open(file) as avatar:
        assert avatar.size == AVATAR_SIZE == (192, 192)  # shown at 96 CSS px


def test_a_share_picture_is_made_after_the_sync_not_on_a_visit(
    alice, tiktok, visitor, empty_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    page = page_of(alice)
    assert queued_pictures() == [page.pk]
    html = visitor.get("/@alice").content.decode()
    assert not page.share_image  # a visit made nothing
    assert "/s-" not in og_image(html)

    version = page.version
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_pictures()
    page = page_of(alice)
    assert page.version == version + 1  # the page is rendered again with its picture
    assert page.share_image.name == f"pages/{page.pk}/s-{share_image.digest(page)}.png"
    with page.share_image.open("rb") as file, Image.open(file) as picture:
        assert (picture.format, picture.size) == ("PNG", (1200, 630))
    html = visitor.get("/@alice").content.decode()
    assert og_image(html) == f"http://testserver{page.share_image.url}"
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    response = visitor.get(page.share_image.url)
    assert response.status_code == 200 and "immutable" in response["Cache-Control"]


def test_a_new_name_or_colour_makes_a_new_picture_and_drops_the_old(
    alice, alice_client, tiktok, visitor, empty_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_pictures()
    first = page_of(alice).share_image
    first_bytes = first.read()
    storage = first.storage

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(
            "/dashboard/appearance/",
            {
                **LOOK,
                "title_override": "Alice on Tour",
                "custom_colours": "on",
                "background_color": "#fff8e7",
                "accent_color": "#1f3a93",
            },
        )
    assert queued_pictures() == [page_of(alice).pk]
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_pictures()
    second = page_of(alice).share_image
    assert second.name != first.name
    assert not storage.exists(first.name)  # the old picture is gone
    assert second.read() != first_bytes
    with second.open("rb") as file, Image.open(file) as picture:
        assert picture.convert("RGB").getpixel((20, 20)) == (0xFF, 0xF8, 0xE7)  # her background
    assert og_image(visitor.get("/@alice").content.decode()).endswith(second.url)


def test_a_page_without_a_picture_gets_one_at_its_next_sync_even_unchanged(
    alice, tiktok, empty_queue, django_capture_on_commit_callbacks
):
    sync(alice)  # before share pictures existed: no task was queued for it
    assert queued_pictures() == []
    with django_capture_on_commit_callbacks(execute=True):
        assert sync(alice) == "unchanged"
    assert queued_pictures() == [page_of(alice).pk]
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_pictures()
    assert page_of(alice).share_image
    with django_capture_on_commit_callbacks(execute=True):
        assert sync(alice) == "unchanged"
    assert queued_pictures() == []  # current: nothing more to make


def test_an_edit_the_picture_does_not_show_makes_no_new_picture(
    alice, alice_client, tiktok, empty_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_pictures()
    name = page_of(alice).share_image.name
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post("/dashboard/links/add/", {"title": "Merch", "url": "shop.example"})
    assert queued_pictures() == []
    assert page_of(alice).share_image.name == name


@pytest.mark.parametrize(
    "title",
    ["A" * 80, "Алиса 🎤 الراقصة", "<script>alert(1)</script>", ""],
)
def test_any_name_fits_the_picture(alice, title):
    page = page_of(alice)
    page.title_override = title
    picture = Image.open(BytesIO(share_image.render(page)))
    assert picture.size == (1200, 630)
