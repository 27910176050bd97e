"""Alice reads her numbers on the Stats tab: totals against the previous
period, a chart that needs no JavaScript, CTR per link and video, where
visitors come from; she downloads the daily rows as CSV. Old rows go after
the retention period. Admins see the whole site."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from pages.models import Link
from stats import charts
from stats import counting as stats
from stats.models import DailyCount, HourlyCount
from tests.helpers import page_of

pytestmark = pytest.mark.django_db


def add(page, day, metric, count, subject=""):
    DailyCount.objects.create(page=page, day=day, metric=metric, subject=subject, count=count)


@pytest.fixture
def today():
    return timezone.now().date()


@pytest.fixture
def busy_alice(alice, today):
    """Alice's page with a week of numbers and the week before."""
    page = page_of(alice)
    shop = Link.objects.create(page=page, title="My shop", url="https://shop.example.com")
    page.videos.create(
        external_id="7301",
        title="Sourdough",
        create_time="2026-01-01T00:00Z",
        link_url="https://x.example",
    )
    add(page, today, "views", 150)
    add(page, today - timedelta(days=3), "views", 50)
    add(page, today - timedelta(days=10), "views", 100)  # the week before
    add(page, today, "visitors", 120)
    add(page, today, "link_clicks", 20, str(shop.pk))
    add(page, today - timedelta(days=10), "link_clicks", 40, str(shop.pk))
    add(page, today, "video_plays", 10, "7301")
    add(page, today, "video_link_clicks", 5, "7301")
    add(page, today, "source", 140, "tiktok.com")
    add(page, today, "source", 60, "direct")
    add(page, today, "device", 190, "phone")
    add(page, today, "browser", 130, "TikTok")
    add(page, today, "language", 100, "en-us")
    return alice


def test_alice_sees_her_week_against_the_week_before(busy_alice, alice_client):
    html = alice_client.get("/dashboard/stats/?days=7").content.decode()
    assert 'data-metric="views">200<' in html
    assert "+100% vs previous 7 days" in html  # 200 views against 100
    assert 'data-metric="link_clicks">20<' in html and "-50% vs previous 7 days" in html
    assert 'data-metric="visitors">120<' in html and "new this period" in html
    assert "My shop" in html and "10.0%" in html  # 20 clicks per 200 views
    assert "Sourdough" in html and "5.0%" in html and "2.5%" in html  # plays, link clicks
    assert "tiktok.com" in html and "70%" in html  # 140 of 200 visits
    assert "phone" in html and "TikTok" in html and "en-us" in html
    assert 'aria-current="page">Stats<' in html


def test_the_chart_reads_without_javascript_and_has_a_table(busy_alice, alice_client):
    html = alice_client.get("/dashboard/stats/?days=90").content.decode()
    assert html.count("<svg") == 2 and "<script" not in html.split("</header>")[-1]
    table = html.split("Views and clicks per day, ")[1].split("</table>")[0]
    assert table.count("<tr>") == 91  # the header and 90 days
    assert "<td>150</td><td>25</td>" in table  # today's views and clicks (links + video links)


def test_an_unknown_period_shows_30_days(busy_alice, alice_client):
    html = alice_client.get("/dashboard/stats/?days=1000").content.decode()
    assert 'href="?days=30" aria-current="page"' in html


def test_bob_sees_only_his_own_numbers(busy_alice, bob, bob_client):
    html = bob_client.get("/dashboard/stats/").content.decode()
    assert 'data-metric="views">0<' in html and "My shop" not in html
    assert "nothing yet" in html and "No visits in this period yet" in html
    assert (
        bob_client.get("/dashboard/stats.csv").content.decode()
        == "day,metric,subject,count,title\n"
    )


def test_a_stranger_is_sent_to_sign_in(client):
    for url in ("/dashboard/stats/", "/dashboard/stats.csv"):
        assert f"next={url}" in client.get(url)["Location"]


# The chart itself.


def points(days, busy=()):
    start = date(2026, 3, 1)
    return [(start + timedelta(n), *((7, 2) if n in busy else (0, 0))) for n in range(days)]


def label(day):
    return day.isoformat()


def test_a_chart_without_data_says_so():
    svg = charts.line_chart(points(30), label)
    assert "No visits in this period yet" in svg and "<polyline" not in svg
    assert 'aria-hidden="true"' in svg


def test_a_chart_with_one_day_of_data_peaks_on_that_day():
    svg = charts.line_chart(points(7, busy={6}), label)
    views = svg.split('<polyline class="chart-views" points="')[1].split('"')[0].split()
    assert len(views) == 7
    assert [float(p.split(",")[1]) for p in views].count(
        min(float(p.split(",")[1]) for p in views)
    ) == 1
    assert float(views[-1].split(",")[1]) < float(views[0].split(",")[1])
    assert ">10<" in svg and "2026-03-07" in svg


def test_a_90_day_chart_draws_every_day_without_dots():
    svg = charts.line_chart(points(90, busy=set(range(0, 90, 3))), label)
    views = svg.split('<polyline class="chart-views" points="')[1].split('"')[0].split()
    assert len(views) == 90 and "<circle" not in svg
    assert "2026-03-01" in svg and "2026-05-29" in svg


def test_a_chart_on_a_single_day_has_a_point_in_the_middle():
    svg = charts.line_chart(points(1, busy={0}), label)
    assert "<circle" in svg


def test_scales_are_round_numbers():
    assert [charts.nice_ceiling(n) for n in (0, 1, 3, 7, 11, 180, 999)] == [
        1,
        1,
        5,
        10,
        20,
        200,
        1000,
    ]


# The CSV.


def test_the_csv_has_one_row_per_day_metric_and_subject_named_by_its_title(
    busy_alice, alice_client, today
):
    page = page_of(busy_alice)
    Link.objects.create(page=page, title="=HYPERLINK(evil)", url="https://e.example.com")
    evil = page.links.get(title="=HYPERLINK(evil)")
    add(page, today, "link_clicks", 1, str(evil.pk))
    add(page, today, "link_clicks", 2, "99999")  # a link deleted since
    response = alice_client.get("/dashboard/stats.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    t, w, ten = (
        today.isoformat(),
        (today - timedelta(days=3)).isoformat(),
        (today - timedelta(days=10)).isoformat(),
    )
    assert response.content.decode().splitlines() == [
        "day,metric,subject,count,title",
        f"{ten},views,,100,",
        f"{ten},link_clicks,My shop,40,My shop",
        f"{w},views,,50,",
        f"{t},views,,150,",
        f"{t},visitors,,120,",
        f"{t},link_clicks,'=HYPERLINK(evil),1,'=HYPERLINK(evil)",
        f"{t},link_clicks,My shop,20,My shop",
        f"{t},link_clicks,deleted link 99999,2,deleted link 99999",
        f"{t},video_plays,7301,10,Sourdough",
        f"{t},video_link_clicks,7301,5,Sourdough",
        f"{t},source,direct,60,",
        f"{t},source,tiktok.com,140,",
        f"{t},device,phone,190,",
        f"{t},browser,TikTok,130,",
        f"{t},language,en-us,100,",
    ]


# Retention.


def test_daily_rows_go_after_two_years_and_hourly_ones_after_48_hours(alice, settings):
    page = page_of(alice)
    now = timezone.now()
    assert settings.STATS_RETENTION_DAYS == 730
    assert ("stats.counting.purge_old_counts", 6 * 3600) in settings.SCHEDULED_JOBS
    add(page, now.date() - timedelta(days=731), "views", 1)
    add(page, now.date() - timedelta(days=729), "views", 2)
    HourlyCount.objects.create(page=page, hour=now - timedelta(hours=49), metric="views", count=3)
    HourlyCount.objects.create(page=page, hour=now - timedelta(hours=47), metric="views", count=4)
    assert stats.purge_old_counts(now) == "1 daily and 1 hourly counts purged"
    assert list(page.daily_counts.values_list("count", flat=True)) == [2]
    assert list(page.hourly_counts.values_list("count", flat=True)) == [4]
    settings.STATS_RETENTION_DAYS = 30
    stats.purge_old_counts(now)
    assert not page.daily_counts.exists()


def test_the_privacy_page_states_the_retention_from_the_settings(client, settings):
    settings.STATS_RETENTION_DAYS = 365
    html = client.get("/privacy/").content.decode()
    assert "The daily visitor counts of your page: 1 year" in html
    assert "never store a visitor's IP address or hash" in html


def test_deleting_the_account_deletes_the_counts(busy_alice, alice_client):
    page = page_of(busy_alice)
    alice_client.post("/dashboard/data/delete/", {"confirm": "yes"})
    assert not DailyCount.objects.filter(page_id=page.pk).exists()


# The admin.


def test_admins_see_site_wide_totals_and_the_busiest_pages(busy_alice, bob, client, today):
    add(page_of(bob), today, "views", 900)
    staff = User.objects.create_superuser("staff", password="x")
    client.force_login(staff)
    html = client.get("/admin/stats/dailycount/").content.decode()
    assert "Site-wide, last 30 days" in html
    assert '<th scope="row">Views</th><td>1200</td>' in html
    assert html.index("@bob") < html.index("@alice")


def test_the_counts_old_admin_address_still_leads_to_them(client):
    staff = User.objects.create_superuser("staff", password="x")
    client.force_login(staff)
    response = client.get("/admin/pages/dailycount/?metric=views")
    assert response.status_code == 301
    assert response["Location"] == "/admin/stats/dailycount/?metric=views"
