"""Sessions in the database, as Django keeps them, read only for a cookie
that could name one.

Django makes every session key of 32 lowercase letters and digits. A
`sessionid` cookie of any other shape (a NUL byte in it, which PostgreSQL
refuses in a query, or kilobytes of junk) names no session: the request is
anonymous, and the database is not asked.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_KEY_CHARS = frozenset(VALID_KEY_CHARS)
_KEY_LENGTH = 40  # the column's length


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return bool(
            super()._validate_session_key(key)
            and len(key) <= _KEY_LENGTH
            and _KEY_CHARS.issuperset(key)
        )
