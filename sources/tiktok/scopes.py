"""What each TikTok scope reveals and why linkinbio asks for it (seeds 000 and 003)."""

from django.conf import settings

REQUIRED_SCOPES = ("user.info.basic",)

# The user/info fields each scope lets us read; asking for a field of a scope
# that was not granted fails the whole call.
USER_INFO_FIELDS_BY_SCOPE = {
    "user.info.basic": [
        "open_id",
        "union_id",
        "avatar_url",
        "avatar_url_100",
        "avatar_large_url",
        "display_name",
    ],
    "user.info.profile": ["bio_description", "profile_deep_link", "is_verified", "username"],
    "user.info.stats": ["follower_count", "following_count", "likes_count", "video_count"],
}

SCOPES = {
    "user.info.basic": {
        "label": "Your profile picture and display name",
        "reveals": "Avatar, display name and an ID that is unique to this site.",
        "why": "To sign you in and put your name and picture at the top of your page.",
    },
    "user.info.profile": {
        "label": "Your username, bio and verified badge",
        "reveals": "Username, bio, profile link and whether you are verified.",
        "why": "To give your page its address (/@username) and show your bio.",
    },
    "user.info.stats": {
        "label": "Your follower, like and video counts",
        "reveals": "Followers, following, total likes and number of videos.",
        "why": "To show your follower count on your page, only if you switch it on.",
    },
    "video.list": {
        "label": "Your public videos",
        "reveals": "Your public videos: cover image, title, description, link and view counts.",
        "why": "To show a grid of your latest videos on your page.",
    },
}


def describe(scopes=None):
    """The scopes (configured ones by default) with their descriptions, in order."""
    scopes = settings.TIKTOK_SCOPES if scopes is None else scopes
    described = []
    for scope in scopes:
        info = SCOPES.get(scope, {"label": scope, "reveals": "", "why": ""})
        described.append({"scope": scope, "required": scope in REQUIRED_SCOPES, **info})
    return described


def user_info_fields(scopes):
    """The user/info fields of the granted scopes only."""
    fields = []
    for scope, scope_fields in USER_INFO_FIELDS_BY_SCOPE.items():
        if scope in scopes:
            fields += scope_fields
    return fields or ["open_id", "display_name"]
