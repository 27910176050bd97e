"""The public page's stylesheet (static/css/page.css), inlined in the page.

A phone inside TikTok's in-app browser paints the page without waiting for a
stylesheet request. The Content-Security-Policy admits exactly these bytes by
their hash (settings.SECURE_CSP's style-src): a nonce cannot serve, since the
page is rendered once and the same bytes go to every visitor.

Read by settings.py, so this module imports nothing of Django.
"""

import base64
import hashlib
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "static" / "css" / "page.css"
CSS = PATH.read_text(encoding="utf-8")
# The CSP source that admits a <style> element holding exactly CSS.
CSP_SOURCE = "'sha256-" + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode() + "'"
