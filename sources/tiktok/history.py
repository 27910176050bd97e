"""The request history in the creator's words ("Your data"): TikTok's
endpoint names and error codes stay in the admin, the logs and the export."""

# What each call asked TikTok for.
WHAT = {
    "oauth.token": "Access to your account (sign-in or renewal)",
    "oauth.revoke": "Ending our access",
    "user.info": "Your profile",
    "video.list": "Your latest videos",
    "video.query": "Videos your page shows",
}
OTHER_WHAT = "Another request"

# Why a call did not work, by TikTok's code (client.py) or our own.
RESULTS = {
    "ok": "OK",
    "accepted": "OK",
    "scope_permission_missed": "Refused: a permission is missing",
    "scope_not_authorized": "Refused: you did not allow this",
    "access_token_invalid": "Refused: TikTok no longer accepts our access",
    "invalid_grant": "Refused: TikTok no longer accepts our access",
    "reconnect_needed": "Refused: TikTok no longer accepts our access",
    "access_denied": "You declined on TikTok",
    "rate_limit_exceeded": "Not done: TikTok asked us to slow down",
    "server_error": "Failed: TikTok had a problem",
    "internal_error": "Failed: TikTok had a problem",
    "temporarily_unavailable": "Failed: TikTok had a problem",
    "timeout": "Failed: TikTok did not answer in time",
    "connection_error": "Failed: we could not reach TikTok",
    "malformed_response": "Failed: TikTok's answer could not be read",
    "missing_keys": "Failed: TikTok's answer could not be read",
}
OTHER_RESULT = "Failed: TikTok refused the request"


def what(call):
    return WHAT.get(call.endpoint, OTHER_WHAT)


def result(call):
    return RESULTS.get(call.error_code, OTHER_RESULT)
