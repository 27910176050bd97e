"""Where the pages' profiles and videos come from: the one module of this app
that knows the source (the seam is sources/base.py).

Registering a second source would happen here; nothing else in this app
names one.
"""

from sources.base import (  # noqa: F401  (the seam's vocabulary, for this app)
    Connection,
    NeedsConsent,
    NeedsReconnect,
    Profile,
    SourceError,
    TryLater,
    Unusable,
    VideoItem,
    VideoList,
    creator_connected,
    source_account_closed,
    sync_allowed_changed,
)
from sources.tiktok.source import TikTokSource

source = TikTokSource()
