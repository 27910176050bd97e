"""Alice's counts hold whatever visitors send: an odd user agent, a visit that
cannot be classified or a store that fails costs no other visitor their
count, a script rotating its User-Agent adds a handful of visitors, not
thousands, and unique visitors stay within the documented error."""

import itertools
import logging
import time

import pytest
import time_machine
from django.db import DatabaseError
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pages.models import Link
from stats import audience, visitors
from stats import counting as stats
from tests.helpers import BROWSER, count_of, flush_counts, page_of

pytestmark = pytest.mark.django_db

ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
HEADER_TEXT = st.text(
    st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=("Cs",)), max_size=300
)
ODD_AGENTS = st.one_of(
    st.sampled_from(["Mozilla/5.0", "x", "hello world", "", "Mozilla/5.0 ()", "() ;;", "Opera"]),
    HEADER_TEXT,
)


@pytest.fixture
def shop(alice):
    return Link.objects.create(page=page_of(alice), title="Shop", url="https://shop.example.com")


@pytest.fixture
def bobs_shop(bob):
    return Link.objects.create(page=page_of(bob), title="Shop", url="https://shop.example.com")


def totals(page):
    return count_of(page, "views"), count_of(page, "link_clicks"), count_of(page, "visitors")


def person(n, agent=BROWSER, **headers):
    return Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=f"198.51.{n // 250}.{n % 250 + 1}", **headers)


_newcomers = itertools.count(1000)  # people never seen before, across examples


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    odd=st.lists(
        st.tuples(ODD_AGENTS, HEADER_TEXT, HEADER_TEXT, HEADER_TEXT), min_size=1, max_size=4
    )
)
def test_odd_visitors_between_people_cost_nobody_their_count(shop, bobs_shop, odd):
    """Odd visitors (`Mozilla/5.0`, any referrer, language or utm_source) on
    Bob's page, between people on Alice's: after a flush every person's view
    and click is counted, and nobody got an error."""
    alices, bobs = page_of(shop.page.user), page_of(bobs_shop.page.user)
    flush_counts()
    before = totals(alices)
    for agent, referer, language, utm in odd:
        oddity = person(
            next(_newcomers), agent, HTTP_REFERER=referer, HTTP_ACCEPT_LANGUAGE=language
        )
        for client, page, link in (
            (person(next(_newcomers)), alices, shop),
            (oddity, bobs, bobs_shop),
        ):
            view = client.get(f"/@{page.slug}", {"utm_source": utm})
            click = client.get(f"/l/{link.pk}")
            assert (view.status_code, click.status_code) == (200, 302)
    flush_counts()
    views, clicks, unique = totals(alices)
    people = len(odd)
    assert (views - before[0], clicks - before[1], unique - before[2]) == (people, people, people)


def test_a_visit_that_cannot_be_classified_is_counted_and_costs_no_other(
    alice, monkeypatch, caplog
):
    page = page_of(alice)
    real_device = audience.device

    def failing_for_one_agent(agent):
        if "Poison" in agent:
            raise ValueError("a parser bug")
        return real_device(agent)

    monkeypatch.setattr(audience, "device", failing_for_one_agent)
    with caplog.at_level(logging.ERROR, logger="stats.counting"):
        for n, agent in enumerate([BROWSER, f"{ANDROID} Poison", ANDROID, f"{BROWSER} Poison"]):
            assert person(n, agent).get("/@alice").status_code == 200
        flush_counts()
    assert count_of(page, "views") == 4
    assert count_of(page, "visitors") == 4
    assert count_of(page, "device", "phone") == 2
    assert count_of(page, "device", "other") == 2
    assert count_of(page, "source") == count_of(page, "browser") == 4
    assert len([r for r in caplog.records if "classify" in r.getMessage()]) == 1


def test_counts_that_could_not_be_stored_are_stored_at_the_next_try(shop, monkeypatch, caplog):
    page = shop.page
    real_store = stats.store_counts

    def failing(counts, minute=None):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(stats, "store_counts", failing)
    with caplog.at_level(logging.ERROR, logger="stats.counting"):
        for n in range(5):
            assert person(n).get("/@alice").status_code == 200
            assert person(n).get(f"/l/{shop.pk}").status_code == 302
            stats.write_pending()  # fails each time: logged once
    assert totals(page) == (0, 0, 0)
    assert len([r for r in caplog.records if "store" in r.getMessage()]) == 1
    monkeypatch.setattr(stats, "store_counts", real_store)
    flush_counts()
    assert totals(page) == (5, 5, 5)


@pytest.mark.parametrize(
    "address", ["203.0.113.66", "2001:db8:1:2::{n:x}"], ids=["IPv4", "IPv6 /64"]
)
def test_a_script_rotating_its_user_agent_adds_a_handful_of_visitors(shop, address):
    """2,000 requests from one address (or one IPv6 /64), each with a new
    User-Agent: a bounded number of views, visitors and clicks; a person at
    another address still counts."""
    page = shop.page
    for n in range(2000):
        client = Client(HTTP_USER_AGENT=f"{ANDROID} build/{n}", REMOTE_ADDR=address.format(n=n))
        path = f"/l/{shop.pk}" if n % 2 else "/@alice"
        assert client.get(path).status_code in (200, 302)
    person(7).get("/@alice")
    flush_counts()
    bound = visitors.NEW_VISITORS_PER_ADDRESS
    views, clicks, unique = totals(page)
    assert 2 <= views <= bound + 1 and unique <= bound + 1 and clicks <= bound


def test_reports_are_capped_per_address_whatever_the_browser(alice):
    answers = [
        Client(HTTP_USER_AGENT=f"{ANDROID} build/{n}", REMOTE_ADDR="203.0.113.66")
        .post("/@alice/report", {"reason": "spam", "message": "spam"})
        .status_code
        for n in range(8)
    ]
    assert answers == [200] * 5 + [429] * 3


UNIQUE = 5000


def test_unique_visitors_are_within_the_documented_error(alice):
    """5,000 people, each seen twice: exact on the file cache, within 3 times
    the HyperLogLog's standard error (0.81%) on Redis; flushing again changes
    nothing, and the hours add up to the day."""
    page = page_of(alice)
    factory = RequestFactory(HTTP_USER_AGENT=BROWSER)
    for _ in range(2):
        for n in range(UNIQUE):
            request = factory.get(
                "/@alice", REMOTE_ADDR=f"10.{n // 62500}.{n // 250 % 250}.{n % 250}"
            )
            stats.count_view(page.pk, request)
        stats._seen.clear()  # the same people half an hour later
    flush_counts()
    unique = count_of(page, "visitors")
    if stats.counts_in_cache():
        assert abs(unique - UNIQUE) <= 3 * 0.0081 * UNIQUE
    else:
        assert unique == UNIQUE
    assert count_of(page, "views") == 2 * UNIQUE
    if stats.counts_in_cache():
        stats._pending[(page.pk, stats._hour(), "visitors", "")] = 1  # the day marked again
        flush_counts()
        assert count_of(page, "visitors") == unique
    assert (
        sum(page.hourly_counts.filter(metric="visitors").values_list("count", flat=True)) == unique
    )


@pytest.fixture
def small_file_cache(settings, tmp_path):
    """The development cache, made small so that pages fill it soon."""
    settings.CACHES = {
        "default": {
            "BACKEND": "linkinbio.file_cache.KeepingFileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
            "OPTIONS": {
                "MAX_ENTRIES": 60,
                "KEPT_PREFIXES": ["pages:visitors:salt:", "pages:reports:"],
            },
        }
    }
    visitors.forget_salts()
    return tmp_path / "cache"


def test_a_full_file_cache_still_knows_todays_visitors_and_reporters(alice, small_file_cache):
    # The caps are per clock hour and the visitors per day: a run that crossed
    # either would see a new window, so the story starts at an hour's start.
    hour = int(time.time() // 3600) * 3600
    with time_machine.travel(hour + 1, tick=True):
        _full_file_cache_story(alice, small_file_cache)


def _full_file_cache_story(alice, small_file_cache):
    from django.core.cache import cache

    page = page_of(alice)
    carol = person(1)
    assert carol.get("/@alice").status_code == 200
    for n in range(5):
        answer = carol.post("/@alice/report", {"reason": "spam", "message": f"{n}"})
        assert answer.status_code == 200
    files = len(list(small_file_cache.rglob("*.djcache")))
    for n in range(2, 300):
        assert person(n).get("/@alice").status_code == 200
    flush_counts()
    assert len(list(small_file_cache.rglob("*.djcache"))) == files  # visitors take no entry
    for n in range(200):  # other pages fill the cache: it culls a third, again and again
        cache.set(f"pages:html:{n}:1:1", b"<html>")
    visitors.forget_salts()  # a process started after the culls
    stats._seen.clear()
    assert carol.get("/@alice").status_code == 200
    flush_counts()
    assert count_of(page, "visitors") == 299  # Carol is still Carol
    assert carol.post("/@alice/report", {"reason": "spam", "message": "6"}).status_code == 429


@hypothesis_settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=st.integers(1, 2**63), step=st.integers(1, 2**56))
def test_a_script_rotating_its_address_within_its_ipv6_block_adds_a_handful_of_visitors(
    shop, start, step
):
    """One browser walking through the 2^64 addresses of its /64 is one
    subscriber: it adds at most the bound of visitors, views and clicks."""
    page = shop.page
    before = totals(page)
    prefix = f"2001:db8:{next(_newcomers):x}:7"
    for n in range(80):
        host = start + n * step
        words = ":".join(f"{host >> shift & 0xFFFF:x}" for shift in (48, 32, 16, 0))
        client = Client(HTTP_USER_AGENT=ANDROID, REMOTE_ADDR=f"{prefix}:{words}")
        path = f"/l/{shop.pk}" if n % 2 else "/@alice"
        assert client.get(path).status_code in (200, 302)
    flush_counts()
    bound = visitors.NEW_VISITORS_PER_ADDRESS
    views, clicks, unique = (after - was for after, was in zip(totals(page), before, strict=True))
    assert views <= bound and clicks <= bound and unique <= bound


@hypothesis_settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first_port=st.integers(1024, 60000),
    address=st.sampled_from(["203.0.113.{n}:{port}", "[2001:db8:{n:x}::5]:{port}"]),
)
def test_a_proxy_that_names_the_clients_port_still_holds_each_address_to_the_bound(
    shop, settings, first_port, address
):
    """A load balancer that writes the client's port into its header (Azure's
    does): each new connection of one client comes from another port, and
    it is still one address, whatever its browser says."""
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    page = shop.page
    before = totals(page)
    n = next(_newcomers) % 250
    for k in range(40):
        forwarded = address.format(n=n, port=first_port + k)
        client = Client(HTTP_USER_AGENT=f"{ANDROID} build/{k}", HTTP_X_FORWARDED_FOR=forwarded)
        assert client.get("/@alice").status_code == 200
    flush_counts()
    views, _, unique = (after - was for after, was in zip(totals(page), before, strict=True))
    assert (
        views <= visitors.NEW_VISITORS_PER_ADDRESS and unique <= visitors.NEW_VISITORS_PER_ADDRESS
    )
