"""A visitor opens Alice's page from her TikTok bio."""

import gzip
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pages import publish
from pages.models import Link, Page
from tests.helpers import count_of, flush_counts, page_of, sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_page(alice, tiktok, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    page = page_of(alice)
    page.show_follower_count = True  # she switched it on
    page.save()
    Link.objects.create(page=page, title="My merch shop", url="https://shop.example.com")
    Link.objects.create(page=page, title="Mail me", url="mailto:alice@example.com", position=2)
    publish.page_changed(page)
    return page


def test_visitor_sees_profile_links_and_videos(alice_page, visitor):
    response = visitor.get("/@alice")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Sings" in html
    assert "Songs every Friday" in html
    assert "12.3K followers" in html
    assert "My merch shop" in html and "Mail me" in html
    link = alice_page.links.get(title="My merch shop")
    assert f'href="/l/{link.pk}" rel="noopener nofollow"' in html
    assert html.count('class="pf-play"') == 5
    assert "Video number 5" in html
    assert ".webp" in html  # local thumbnails, never TikTok's expiring CDN URLs
    assert "cdn.example.test" not in html


def test_videos_play_only_when_the_visitor_asks(alice_page, visitor):
    html = visitor.get("/@alice").content.decode()
    video = alice_page.videos.first()
    assert "<iframe" not in html
    assert f'data-player="http://127.0.0.1:9/tiktok-web/player/v1/{video.external_id}"' in html
    # Without JavaScript the same link opens the video on TikTok.
    assert f'href="https://www.tiktok.com/@alice/video/{video.external_id}"' in html
    assert "a[data-player]" in html  # the click-to-play script, inline


def test_page_has_share_and_search_metadata(alice_page, visitor):
    html = visitor.get("/@alice").content.decode()
    assert '<link rel="canonical" href="http://testserver/@alice">' in html
    assert '<meta property="og:title" content="Alice Sings (@alice)">' in html
    assert 'name="twitter:card"' in html
    assert '"@type": "ProfilePage"' in html


def test_visitor_gets_no_cookie_and_a_cacheable_answer(alice_page, visitor):
    visitor.get("/@alice")  # warms the cache
    response = visitor.get("/@alice")
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    etag = response["ETag"]
    again = visitor.get("/@alice", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag


def test_warm_page_keeps_the_security_headers_of_a_cold_one(alice_page, visitor):
    cold = visitor.get("/@alice")
    warm = visitor.get("/@alice")
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert warm[header] == cold[header]
    assert "frame-ancestors 'none'" in warm["Content-Security-Policy"]


def test_compressed_page_is_the_same_page(alice_page, visitor):
    plain = visitor.get("/@alice").content
    response = visitor.get("/@alice", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == plain


def test_warm_view_runs_no_query_on_the_apps_tables(alice_page, visitor):
    visitor.get("/@alice")
    with CaptureQueriesContext(connection) as queries:
        response = visitor.get("/@alice")
    assert response.status_code == 200
    assert "Alice Sings" in response.content.decode()
    assert [q["sql"] for q in queries.captured_queries] == []


def test_slug_is_case_insensitive_with_one_canonical_address(alice_page, visitor):
    response = visitor.get("/@ALICE")
    assert response.status_code == 301
    assert response["Location"] == "/@alice"
    assert visitor.get("/@Alice").status_code == 301  # also from the cache


def test_visitor_typing_the_tiktok_handle_with_a_dot_finds_the_page(alice_page, visitor):
    alice_page.username = "alice.sings"
    alice_page.save(update_fields=["username"])
    response = visitor.get("/@Alice.Sings")
    assert response.status_code == 302
    assert response["Location"] == "/@alice"


def test_unknown_page_is_a_404(db, visitor):
    response = visitor.get("/@nobody_here")
    assert response.status_code == 404
    assert "@nobody_here is free" in response.content.decode()  # an invitation to claim it
    assert visitor.get("/@nobody_here").status_code == 404
    assert "There is no page here" in visitor.get("/@no.body").content.decode()


def test_a_new_page_appears_even_after_its_slug_was_asked_for(
    db, visitor, django_capture_on_commit_callbacks
):
    assert visitor.get("/@carol").status_code == 404
    from tests.helpers import make_creator

    with django_capture_on_commit_callbacks(execute=True):
        make_creator("carol", page=True)
    assert visitor.get("/@carol").status_code == 200


def test_suspended_page_is_unavailable_with_410(alice_page, visitor):
    visitor.get("/@alice")
    alice_page.is_suspended = True
    alice_page.save()
    publish.page_changed(alice_page)
    response = visitor.get("/@alice")
    assert response.status_code == 410
    assert "This page is unavailable" in response.content.decode()
    assert "Alice Sings" not in response.content.decode()


def test_edits_show_on_the_next_view(alice_page, alice_client, visitor):
    assert "Fresh drop" not in visitor.get("/@alice").content.decode()
    alice_client.post(
        "/dashboard/links/add/", {"title": "Fresh drop", "url": "https://x.test/d", "enabled": "on"}
    )
    assert "Fresh drop" in visitor.get("/@alice").content.decode()


def test_hostile_profile_text_and_link_titles_are_escaped(alice, tiktok, visitor):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    tiktok.profile["display_name"] = evil
    tiktok.profile["bio_description"] = evil + "</script>"
    tiktok.videos[0]["title"] = evil
    sync(alice)
    page = page_of(alice)
    Link.objects.create(page=page, title=evil, url="https://example.com")
    publish.page_changed(page)
    html = visitor.get("/@alice").content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    # Inside the JSON-LD block the text cannot close the script element either.
    json_ld = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in json_ld


def test_scheduled_link_appears_and_expiring_link_goes_on_time(alice_page, visitor):
    now = timezone.now()
    Link.objects.create(
        page=alice_page,
        title="Tour tickets",
        url="https://t.test",
        starts_at=now + timedelta(hours=1),
    )
    Link.objects.create(
        page=alice_page, title="Flash sale", url="https://s.test", ends_at=now + timedelta(hours=2)
    )
    publish.page_changed(alice_page)
    html = visitor.get("/@alice").content.decode()
    assert "Tour tickets" not in html and "Flash sale" in html
    import time_machine

    with time_machine.travel(now + timedelta(hours=1, minutes=1)):
        html = visitor.get("/@alice").content.decode()
        assert "Tour tickets" in html and "Flash sale" in html
    with time_machine.travel(now + timedelta(hours=3)):
        html = visitor.get("/@alice").content.decode()
        assert "Tour tickets" in html and "Flash sale" not in html


def test_link_click_goes_to_the_creators_link_and_is_counted(alice_page, visitor):
    link = alice_page.links.get(title="My merch shop")
    response = visitor.get(f"/l/{link.pk}")
    assert response.status_code == 302
    assert response["Location"] == "https://shop.example.com"
    flush_counts()
    link.refresh_from_db()
    assert link.clicks == 1
    assert count_of(alice_page, "link_clicks", str(link.pk)) == 1


def test_bots_are_not_counted(alice_page, db):
    from django.test import Client

    bot = Client(HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)")
    link = alice_page.links.get(title="My merch shop")
    assert bot.get(f"/l/{link.pk}").status_code == 302
    link.refresh_from_db()
    assert link.clicks == 0


def test_mailto_links_work_and_disabled_links_are_gone(alice_page, visitor):
    mail = alice_page.links.get(title="Mail me")
    assert visitor.get(f"/l/{mail.pk}")["Location"] == "mailto:alice@example.com"
    mail.enabled = False
    mail.save()
    assert visitor.get(f"/l/{mail.pk}").status_code == 404


def test_visitor_pages_through_65_videos(alice, tiktok, visitor):
    tiktok.videos = [tiktok.add_video() for _ in range(65)]
    page = page_of(alice)
    page.videos_shown = 65
    page.save()
    sync(alice)
    first = visitor.get("/@alice").content.decode()
    assert first.count('class="pf-play"') == 12
    assert 'href="/@alice?page=2#videos">More videos' in first
    seen = first.count('class="pf-play"')
    for screen in range(2, 7):
        html = visitor.get(f"/@alice?page={screen}").content.decode()
        seen += html.count('class="pf-play"')
        assert "Newer videos" in html
    assert seen == 65
    assert "More videos<" not in html
    assert visitor.get("/@alice?page=7").status_code == 404


def test_visitor_reports_a_page_without_getting_a_cookie(alice_page, visitor):
    response = visitor.post("/@alice/report", {"reason": "spam", "message": "Fake giveaway"})
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert not response.cookies
    report = alice_page.reports.get()
    assert report.reason == "spam" and report.message == "Fake giveaway"


def test_page_view_counts_reach_the_dashboard(alice_page, visitor, alice_client):
    for n in range(3):
        visitor.get("/@alice", REMOTE_ADDR=f"192.0.2.{n}")
    flush_counts()
    assert Page.objects.get(pk=alice_page.pk).last_viewed_at is not None
    html = alice_client.get("/dashboard/").content.decode()
    assert "<strong>3</strong> views" in html


def test_the_player_frame_is_allowed_only_from_the_player_host(alice_page, visitor):
    csp = visitor.get("/@alice")["Content-Security-Policy"]
    frame_src = next(d for d in csp.split(";") if d.strip().startswith("frame-src"))
    sources = frame_src.split()[1:]
    # A source with a path must end in "/" to allow the player's paths below it.
    assert sources and all(s.startswith("http") and s.endswith("/") for s in sources)


def test_mirrored_images_are_served_and_cached_for_good(alice_page, visitor):
    response = visitor.get(alice_page.avatar.url)
    assert response.status_code == 200
    assert b"".join(response)[8:12] == b"WEBP"
    assert "immutable" in response["Cache-Control"]
    assert visitor.get("/media/pages/../../etc/passwd").status_code in (400, 404)


def test_odd_image_addresses_are_not_found_not_errors(db, visitor):
    assert visitor.get("/media/pages/%C2%B2/a-1.webp").status_code == 404
    assert visitor.get("/media/pages/999999/a-1.webp").status_code == 404


def test_an_address_with_a_trailing_slash_leads_to_the_page(alice_page, visitor):
    response = visitor.get("/@alice/?utm_source=tiktok")
    assert response.status_code == 301
    assert response["Location"] == "/@alice?utm_source=tiktok"
    assert visitor.get("/@alice/", follow=True).status_code == 200


@pytest.mark.parametrize(("shown", "more_link"), [(12, False), (30, True)])
def test_the_videos_tab_and_the_page_agree_on_the_more_videos_link(
    alice, tiktok, visitor, client, shown, more_link
):
    tiktok.videos = [tiktok.add_video() for _ in range(18)]
    page = page_of(alice)
    page.videos_shown = shown
    page.save()
    sync(alice)
    client.force_login(alice)

    tab = client.get("/dashboard/videos/").content.decode()
    public = visitor.get("/@alice").content.decode()

    assert ('href="/@alice?page=2#videos">More videos' in public) is more_link
    assert ("with a “More videos” link to the next ones" in tab) is more_link
    assert ("with no “More videos” link" in tab) is not more_link


def test_the_videos_tab_counts_the_videos_visitors_see_when_fewer_than_the_number(
    alice, tiktok, visitor, client
):
    tiktok.videos = [tiktok.add_video() for _ in range(9)]
    page = page_of(alice)
    page.videos_shown = 12
    page.save()
    sync(alice)
    client.force_login(alice)

    tab = client.get("/dashboard/videos/").content.decode()

    assert "Visitors see 12 videos" not in tab  # they see the 9 there are
    assert "raise the number" not in tab  # raising it shows nothing more
    assert "every video you haven’t hidden (9)" in tab
