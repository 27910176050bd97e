"""The client against TikTok's documented answers (tests/answers/tiktok.json):
each success read into what the product uses, each failure into the right
error. tests/sandbox/test_contract.py holds the sandbox to the same shapes."""

import pytest

from sources.tiktok import client
from tests.helpers import API, REVOKE_URL, TOKEN_URL, USER_URL, tiktok_answers

pytestmark = pytest.mark.django_db

ANSWERS = tiktok_answers()
URLS = {
    "exchange_code": ("POST", TOKEN_URL),
    "refresh_access_token": ("POST", TOKEN_URL),
    "revoke": ("POST", REVOKE_URL),
    "user_info": ("GET", USER_URL),
    "video_list": ("POST", f"{API}/v2/video/list/"),
    "video_query": ("POST", f"{API}/v2/video/query/"),
}
CALLS = {
    "exchange_code": lambda: client.exchange_code(
        "code*1!", redirect_uri="https://example.com/cb/", code_verifier="verifier"
    ),
    "refresh_access_token": lambda: client.refresh_access_token("rft.1"),
    "revoke": lambda: client.revoke("act.1"),
    "user_info": lambda: client.user_info("act.1", ["open_id", "display_name", "username"]),
    "video_list": lambda: client.video_list("act.1", client.VIDEO_FIELDS),
    "video_query": lambda: client.video_query("act.1", ["id"], ["7301234567890123456"]),
}


def read(result, call):
    """What the product takes from a successful answer."""
    if call in ("exchange_code", "refresh_access_token"):
        return {
            "open_id": result.open_id,
            "scopes": result.scopes,
            "expires_in": result.expires_in,
            "refresh_expires_in": result.refresh_expires_in,
        }
    if call == "video_list":
        ids = [video["id"] for video in result.videos]
        return {"ids": ids, "cursor": result.cursor, "has_more": result.has_more}
    if call == "video_query":
        return {"ids": [video["id"] for video in result]}
    if call == "revoke":
        return {"result": result}
    return result


@pytest.mark.parametrize("answer", ANSWERS, ids=[answer["name"] for answer in ANSWERS])
def test_the_client_reads_each_documented_answer(answer, tiktok):
    method, url = URLS[answer["call"]]
    if "raw" in answer:
        tiktok.add(method, url, body=answer["raw"], status=answer["status"])
    else:
        tiktok.add(method, url, json=answer["body"], status=answer["status"])
    expect = dict(answer["expect"])

    if "raises" in expect:
        with pytest.raises(getattr(client, expect.pop("raises"))) as raised:
            CALLS[answer["call"]]()
        error = raised.value
        assert error.code == expect.pop("code")
        assert error.log_id == expect.pop("log_id", error.log_id) and error.log_id
        if "final" in expect:
            assert error.final is expect.pop("final")
        assert not expect
    else:
        result = read(CALLS[answer["call"]](), answer["call"])
        assert {key: result[key] for key in expect} == expect


def test_every_endpoint_the_product_calls_has_a_success_and_a_failure():
    calls = {answer["call"] for answer in ANSWERS}
    assert calls == set(CALLS)
    for call in calls:
        outcomes = {"raises" in answer["expect"] for answer in ANSWERS if answer["call"] == call}
        assert outcomes == {True, False}, call
    assert all(answer["doc"].startswith("https://developers.tiktok.com/") for answer in ANSWERS)
