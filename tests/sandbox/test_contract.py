"""The sandbox answers as TikTok documents it: for each documented answer in
tests/answers/tiktok.json, the sandbox's answer to the same situation has the
same HTTP status, the same error code and the same shape (keys and types)."""

import pytest

from sandbox import testing
from tests.helpers import tiktok_answers

from .calls import CONTROL, REVOKE, exchange, refresh, user_info, video_list, video_query

pytestmark = pytest.mark.django_db

ANSWERS = [answer for answer in tiktok_answers() if answer.get("sandbox")]
VERIFIER = "a-verifier-of-forty-three-characters-or-more-123"
APP = {"client_key": "sandbox-linkinbio", "client_secret": "sandbox-linkinbio-secret"}


def shape(value):
    """The keys and types of a JSON value (a list by its first item)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def arm(client, **fault):
    assert (
        client.post(f"{CONTROL}faults", fault, content_type="application/json").status_code == 201
    )


def fields_of(answer):
    user = answer["body"]["data"]["user"]
    return ",".join(user)


def situation(name, client, answer):
    """Bring the sandbox into the documented situation; returns its answer."""
    testing.create_account("alice", display_name="Alice", video_count=5)
    if name == "exchange":
        code = testing.issue_code("alice", code_challenge=testing.pkce_challenge(VERIFIER))
        return exchange(client, code, code_verifier=VERIFIER)
    if name == "exchange_used_code":
        code = testing.issue_code("alice")
        exchange(client, code)
        return exchange(client, code)
    if name == "exchange_bad_verifier":
        code = testing.issue_code("alice", code_challenge=testing.pkce_challenge(VERIFIER))
        return exchange(client, code, code_verifier=VERIFIER + "x")
    tokens = testing.grant("alice")
    if name == "refresh":
        return refresh(client, tokens["refresh_token"])
    if name == "refresh_missing_token":
        return refresh(client, "")
    if name == "refresh_bad_secret":
        return refresh(client, tokens["refresh_token"], client_secret="wrong")
    if name in ("refresh_server_error", "refresh_temporarily_unavailable"):
        error = answer["body"]["error"]
        arm(
            client, endpoint="oauth.token", kind="oauth_error", error=error, status=answer["status"]
        )
        return refresh(client, tokens["refresh_token"])
    if name == "revoke_empty":
        arm(client, endpoint="oauth.revoke", kind="empty_body")
        return client.post(REVOKE, {**APP, "token": tokens["access_token"]})
    if name == "revoke":
        return client.post(REVOKE, {**APP, "token": tokens["access_token"]})
    if name == "revoke_missing_token":
        return client.post(REVOKE, APP)
    if name == "user_info":
        return user_info(client, tokens["access_token"], fields_of(answer))
    if name == "user_info_bad_token":
        return user_info(client, "act.made-up")
    if name == "user_info_declined_scope":
        basic = testing.grant("alice", ["user.info.basic"])
        return user_info(client, basic["access_token"], "open_id,bio_description")
    if name == "user_info_app_scope":
        testing.register_client(
            "https://small.example/cb",
            client_key="small",
            client_secret="s",
            scopes=["user.info.basic"],
        )
        small = testing.grant("alice", ["user.info.basic"], client_key="small")
        return user_info(client, small["access_token"], "username")
    if name == "user_info_rate_limited":
        arm(client, endpoint="user.info", kind="rate_limit")
        return user_info(client, tokens["access_token"])
    if name == "user_info_internal_error":
        arm(client, endpoint="user.info", kind="server_error")
        return user_info(client, tokens["access_token"])
    fields = ",".join(answer["body"]["data"]["videos"][0]) if answer["status"] == 200 else "id"
    if name == "video_list":
        return video_list(client, tokens["access_token"], {"max_count": 2}, fields=fields)
    if name == "video_list_bad_params":
        return video_list(client, tokens["access_token"], {"max_count": 21})
    if name == "video_query":
        listed = video_list(client, tokens["access_token"], {"max_count": 1}).json()
        ids = [listed["data"]["videos"][0]["id"]]
        return video_query(client, tokens["access_token"], ids, fields=fields)
    if name == "video_query_bad_params":
        return video_query(client, tokens["access_token"], [])
    raise AssertionError(f"no sandbox situation {name}")


@pytest.mark.parametrize("answer", ANSWERS, ids=[answer["name"] for answer in ANSWERS])
def test_the_sandbox_answers_in_tiktoks_shape(client, answer):
    response = situation(answer["sandbox"], client, answer)

    assert response.status_code == answer["status"]
    if "raw" in answer:
        assert response.content == answer["raw"].encode()
        return
    body = response.json()
    assert shape(body) == shape(answer["body"])
    documented = answer["body"].get("error")
    if isinstance(documented, dict):
        assert body["error"]["code"] == documented["code"]
    elif documented:
        assert body["error"] == documented


def test_every_documented_answer_has_a_sandbox_situation():
    assert all(answer.get("sandbox") for answer in tiktok_answers())
