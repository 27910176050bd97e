"""TikTok calls as an app makes them, through Django's test client."""

CALLBACK = "http://127.0.0.1:8000/accounts/tiktok/login/callback/"
AUTHORIZE = "/sandbox/tiktok/v2/auth/authorize/"
TOKEN = "/sandbox/tiktok/v2/oauth/token/"
REVOKE = "/sandbox/tiktok/v2/oauth/revoke/"
USER_INFO = "/sandbox/tiktok/v2/user/info/"
VIDEO_LIST = "/sandbox/tiktok/v2/video/list/"
VIDEO_QUERY = "/sandbox/tiktok/v2/video/query/"
CONTROL = "/sandbox/tiktok/_sandbox/"


def exchange(client, code, redirect_uri=CALLBACK, **extra):
    data = {
        "client_key": "sandbox-linkinbio",
        "client_secret": "sandbox-linkinbio-secret",
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
        **extra,
    }
    return client.post(TOKEN, data)


def refresh(client, refresh_token, **extra):
    data = {
        "client_key": "sandbox-linkinbio",
        "client_secret": "sandbox-linkinbio-secret",
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        **extra,
    }
    return client.post(TOKEN, data)


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def user_info(client, token, fields="open_id,display_name"):
    return client.get(USER_INFO, {"fields": fields}, **bearer(token))


def video_list(client, token, body=None, fields="id,create_time,title"):
    return client.post(
        f"{VIDEO_LIST}?fields={fields}",
        body if body is not None else {},
        content_type="application/json",
        **bearer(token),
    )


def video_query(client, token, ids, fields="id,title,cover_image_url"):
    return client.post(
        f"{VIDEO_QUERY}?fields={fields}",
        {"filters": {"video_ids": ids}},
        content_type="application/json",
        **bearer(token),
    )
