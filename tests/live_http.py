"""HTTP to a live server in tests, without keep-alive.

Each live-server request thread then ends (and closes its database
connection) before the test that started it is torn down, so the test
database can be dropped and in-memory SQLite is not used from a dead thread.
"""

import requests


class ClosingAdapter(requests.adapters.HTTPAdapter):
    def send(self, *args, **kwargs):
        response = super().send(*args, **kwargs)
        response.content  # noqa: B018 (read the body before closing)
        self.close()
        return response


def closing_session():
    """A requests session that closes its connection after every response."""
    session = requests.Session()
    session.headers["Connection"] = "close"
    session.mount("http://", ClosingAdapter())
    return session
