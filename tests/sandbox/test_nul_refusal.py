"""A request holding a NUL character, anywhere, is refused with a 400 by
every sandbox address: PostgreSQL cannot hold one in text, so looking it up
answered 500 (a public demo's sandbox is open to anyone)."""

import json

import pytest
from django.test import Client

from sandbox.nul_refusal import MESSAGE

pytestmark = pytest.mark.django_db

BASE = "/sandbox/tiktok"
IN_THE_PATH = [
    "/player/v1/%00",
    "/@a%00",
    "/@alice/video/%00",
    "/img/cover/%00/1.jpeg",
    "/img/avatar/12345678-1234-5678-1234-567812345678/%00.jpeg",
    "/_sandbox/accounts/%00",
    "/_sandbox/accounts/alice/videos/%00",
]
IN_THE_QUERY = [
    "/v2/auth/authorize/?client_key=%00&response_type=code&scope=user.info.basic",
    "/v2/user/info/?fields=open_id%00",
]
IN_A_FORM = [
    ("/v2/oauth/token/", {"client_key": "\x00", "grant_type": "authorization_code"}),
    ("/v2/oauth/token/", {"client_key": "sandbox-linkinbio", "code": "a\x00"}),
    ("/v2/oauth/revoke/", {"client_key": "\x00", "token": "x"}),
]
IN_JSON = [
    ("/v2/video/list/", {"cursor": "\x00"}),
    ("/v2/video/query/", {"filters": {"video_ids": ["\x00"]}}),
    ("/_sandbox/accounts", {"username": "\x00"}),
]


def refused(response):
    return response.status_code == 400 and response.content.decode() == MESSAGE


@pytest.mark.parametrize("path", IN_THE_PATH + IN_THE_QUERY)
def test_a_nul_in_the_address_is_refused(alice, path):
    assert refused(Client().get(BASE + path))


@pytest.mark.parametrize(("path", "form"), IN_A_FORM)
def test_a_nul_in_a_form_is_refused(alice, path, form):
    assert refused(Client().post(BASE + path, form))


@pytest.mark.parametrize(("path", "body"), IN_JSON)
def test_a_nul_in_json_is_refused(alice, path, body):
    answer = Client().post(
        BASE + path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION="x"
    )
    assert refused(answer)


def test_a_nul_in_the_token_is_refused(alice):
    answer = Client().get(BASE + "/v2/user/info/?fields=open_id", HTTP_AUTHORIZATION="Bearer \x00")
    assert refused(answer)


def test_requests_without_one_are_answered_as_before(alice):
    assert Client().get(BASE + "/@alice").status_code == 200
    assert Client().get(BASE + "/@nobody").status_code == 404
    answer = Client().post(BASE + "/v2/video/list/", "{}", content_type="application/json")
    assert answer.json()["error"]["code"] == "access_token_invalid"
    multipart = Client().post(BASE + "/v2/oauth/token/", {"client_key": "nobody"})
    assert multipart.json()["error"] == "invalid_client"
