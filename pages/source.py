"""Where the pages' profiles and videos come from: the one module of this app
that knows the source (the seam is accounts/sources.py).

Registering a second source would happen here; nothing else in this app
names one.
"""

from accounts.sources import (  # noqa: F401  (the seam's vocabulary, for this app)
    Connection,
    NeedsReconnect,
    Profile,
    SourceError,
    TryLater,
    Unusable,
    VideoItem,
    VideoList,
    creator_connected,
    sync_allowed_changed,
)
from accounts.tiktok.source import TikTokSource

source = TikTokSource()
