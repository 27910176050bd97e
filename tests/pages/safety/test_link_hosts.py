"""A blocked site stays blocked however its name is spelled: full-width letters,
ideographic full stops, soft hyphens, trailing dots, capitals, punycode, IP
numbers in decimal, octal or hex. Links to local or private addresses and
addresses with a password in them are refused with a clear message, and a
look-alike host name is shown to its creator in punycode."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pages import publish
from pages.models import BlockedDomain, Link
from pages.safety.links import link_host, normalize_link_url, validate_link_url
from tests.helpers import page_of

pytestmark = pytest.mark.django_db

BLOCKED_SPELLINGS = [
    "https://spam.example/",
    "https://SPAM.EXAMPLE/",
    "https://Spam.Example./",
    "https://spam.example../",
    "https://spam.example\uff0e/",  # full-width full stop at the end
    "https://spam\u3002example/",  # ideographic full stop
    "https://spam\uff61example/",  # half-width ideographic full stop
    "https://spam\uff0eexample/",  # full-width full stop
    "https://\uff53\uff50\uff41\uff4d.example/",  # full-width letters
    "https://\uff33\uff30\uff21\uff2d\uff0e\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25/",
    "https://sp\u00adam.example/",  # soft hyphen
    "https://spam.exam\u00adple/",
    "https://sp\u200bam.example/",  # zero-width space
    "https://win.spam.example/now",
    "https://a.b.spam.example/",
    "https://WIN.SPAM.EXAMPLE./",
    "https://spam.example:443/",
    "https://spam.example:8080/path?q=1",
    "http://spam.example/",
    "HTTPS://SPAM.EXAMPLE/",
    "spam.example/x",
    "https://xn--bcher-kva.example/",
    "https://XN--BCHER-KVA.EXAMPLE/",
    "https://B\u00dcCHER.example/",
    "https://bu\u0308cher.example/",  # u + combining diaeresis
    "https://shop.b\uff55\u0308cher.example/",
]
LOCAL_ADDRESSES = [
    "http://localhost/",
    "http://LOCALHOST./",
    "http://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/",
    "http://admin.localhost/",
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0251.0376.0251.0376/",
    "http://0xa9fea9fe/",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[::]/",
    "http://[::7f00:1]/",  # IPv4-compatible 127.0.0.1
    "http://[::ffff:0:7f00:1]/",  # SIIT 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 to 169.254.169.254
    "http://[2002:a9fe:a9fe::1]/",  # 6to4 of 169.254.169.254
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
]
WITH_CREDENTIALS = [
    "https://user@shop.example.com/",
    "https://user:pass@shop.example.com/",
    "https://:@shop.example.com/",
    "https://shop.example.com@spam.example/",
    "https://spam.example\\@shop.example.com/",
]


@pytest.fixture
def blocked(db):
    BlockedDomain.objects.create(domain="spam.example")
    BlockedDomain.objects.create(domain="B\u00fccher.Example.")  # stored as punycode


def add_link(client, url):
    return client.post("/dashboard/links/add/", {"title": "Look", "url": url, "enabled": "on"})


def test_the_corpus_covers_at_least_forty_spellings():
    assert len(BLOCKED_SPELLINGS + LOCAL_ADDRESSES + WITH_CREDENTIALS) >= 40


@pytest.mark.parametrize("url", BLOCKED_SPELLINGS)
def test_no_spelling_of_a_blocked_site_gets_onto_a_page(alice, alice_client, blocked, url):
    response = add_link(alice_client, url)
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "Links to this site are not allowed here." in html
        or "This web address does not look right." in html
    )
    assert not page_of(alice).links.exists()


@pytest.mark.parametrize("url", LOCAL_ADDRESSES)
def test_links_to_local_and_private_addresses_are_refused(alice, alice_client, url):
    response = add_link(alice_client, url)
    assert response.status_code == 400
    html = response.content.decode()
    assert "are not allowed" in html or "This web address does not look right." in html
    assert not page_of(alice).links.exists()


@pytest.mark.parametrize("url", WITH_CREDENTIALS)
def test_addresses_with_a_user_name_or_password_are_refused(alice, alice_client, blocked, url):
    response = add_link(alice_client, url)
    assert response.status_code == 400
    assert "user name or password" in response.content.decode() or "\\" in url
    assert not page_of(alice).links.exists()


@pytest.mark.parametrize(
    "url", [url for url in BLOCKED_SPELLINGS + LOCAL_ADDRESSES + WITH_CREDENTIALS if "://" in url]
)
def test_a_stored_link_to_a_blocked_spelling_is_neither_shown_nor_followed(
    alice, blocked, visitor, url
):
    """Links saved before the site knew better (or by a script) stay harmless."""
    page = page_of(alice)
    link = Link.objects.create(page=page, title="Sneaky", url=url)
    publish.page_changed(page)
    assert "Sneaky" not in visitor.get("/@alice").content.decode()
    assert visitor.get(f"/l/{link.pk}").status_code == 404


def test_a_good_address_is_stored_as_browsers_reach_it(alice, alice_client, blocked, visitor):
    add_link(alice_client, "https://\uff33\uff28\uff2f\uff30.example.com\u3002/bag?x=1#top")
    add_link(alice_client, "https://b\u00fccher.de/")
    add_link(alice_client, "http://0x08.8.8.8/")
    urls = list(page_of(alice).links.values_list("url", flat=True))
    assert urls == [
        "https://shop.example.com/bag?x=1#top",
        "https://xn--bcher-kva.de/",
        "http://8.8.8.8/",
    ]
    assert visitor.get(f"/l/{page_of(alice).links.first().pk}")["Location"] == urls[0]


def test_a_look_alike_host_is_shown_to_its_creator_in_punycode(alice, alice_client):
    add_link(alice_client, "https://\u0430pple.com/login")  # a Cyrillic а
    add_link(alice_client, "https://b\u00fccher.de/")
    html = alice_client.get("/dashboard/").content.decode()
    assert "https://xn--pple-43d.com/login" in html
    assert "https://b\u00fccher.de/" in html


def test_an_admin_cannot_block_something_that_is_not_a_domain(admin_client):
    response = admin_client.post("/admin/pages/blockeddomain/add/", {"domain": "bad..name"})
    assert response.status_code == 200
    assert "This is not a domain name." in response.content.decode()
    assert not BlockedDomain.objects.exists()


def test_a_domain_blocked_in_unicode_matches_its_punycode_links(admin_client):
    typed = "\uff22\u00fcCHER.example\u3002"
    admin_client.post("/admin/pages/blockeddomain/add/", {"domain": typed})
    assert list(BlockedDomain.objects.values_list("domain", flat=True)) == ["xn--bcher-kva.example"]


@settings(suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.text(max_size=60),
        st.builds(
            lambda scheme, host, rest: f"{scheme}://{host}{rest}",
            st.sampled_from(["http", "https", "HTTP", "mailto", "tel", "javascript"]),
            st.text(max_size=30),
            st.text(max_size=20),
        ),
    )
)
def test_the_link_check_refuses_or_accepts_any_text_and_never_crashes(text):
    """Whatever a creator types, the answer is a clear refusal or a link
    whose host is already in the form browsers reach (nothing left to fold)."""
    url = normalize_link_url(text)
    try:
        validate_link_url(url)
    except ValidationError as error:
        assert error.messages and all(error.messages)
        return
    host = link_host(url)
    if host:
        assert host == host.lower() and host.isascii()
        assert normalize_link_url(url) == url
