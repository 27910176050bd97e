"""The seam's vocabulary for this app (sources/base.py). A page's source is
`Page.get_source()`, found in the registry by the page's key
(sources/registry.py, settings.SOURCES); this app names no source.
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
