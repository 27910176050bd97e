"""The public page's script (static/js/page-player.js), inlined in the page.

The page then needs no request but its pictures: a phone on a slow network
shows the largest picture without a script's request in the way, and the
Content-Security-Policy admits exactly these bytes by their hash
(settings.SECURE_CSP's script-src), as it admits the inlined stylesheet.

Read by settings.py, so this module imports nothing of Django.
"""

import base64
import hashlib
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "static" / "js" / "page-player.js"
SCRIPT = PATH.read_text(encoding="utf-8")
# The CSP source that admits a <script> element holding exactly SCRIPT.
CSP_SOURCE = "'sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode() + "'"
