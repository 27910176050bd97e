"""Browser stories.

The `browser`, `page` and `outside_requests` fixtures live in tests/conftest.py,
so that a browser test anywhere in the suite shares the one Playwright session.
"""
