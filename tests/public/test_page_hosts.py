"""A page answers only under the site's own names (ALLOWED_HOSTS), whether it
is in the cache or not: a warm page refuses exactly the Host headers a cold
one refuses, so nobody can serve our pages under a name of theirs or poison
a cache keyed by host with them."""

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pages import cache as page_cache
from tests.helpers import BROWSER

pytestmark = pytest.mark.django_db

NAMES = ["links.example", "www.links.example", "testserver", "evil.example", "127.0.0.1", "[::1]"]
hosts = st.one_of(
    st.builds(
        lambda name, port, case: (name.upper() if case else name) + port,
        st.sampled_from(NAMES),
        st.sampled_from(["", ":80", ":8000", ":", ":x", ".", "..", "@evil.example"]),
        st.booleans(),
    ),
    st.text(max_size=60),
    st.text(alphabet="abc.-:[]@_0123456789 \t", max_size=30),
)


@pytest.fixture
def site(alice, settings):
    settings.ALLOWED_HOSTS = ["links.example", ".links.example", "testserver"]
    return Client(HTTP_USER_AGENT=BROWSER)


def status(client, host):
    return client.get("/@alice", HTTP_HOST=host).status_code


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(host=hosts)
@example(host="evil.example")
@example(host="links.example:8000")
def test_a_warm_page_refuses_the_hosts_a_cold_one_refuses(site, host):
    cache.clear()
    page_cache.forget_missing()
    cold = status(site, host)
    assert status(site, "links.example") == 200  # now in the cache
    warm = status(site, host)
    assert (warm, cold) == (cold, cold)
    assert cold in (200, 400)
