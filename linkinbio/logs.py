"""Log lines that say only what happened: one record, one line.

Text from requests and from TikTok (an `error` parameter, an error code, a
profile field) ends up in log messages. A `%0A` in it would otherwise start a
line of its own, which reads like a record the site never wrote; bidi
overrides would reorder what an operator reads. The formatter writes such
characters as escapes, in every message, whoever logs it.
"""

import json
import logging
import re
import time

from linkinbio.secret_text import scrub

# C0 and C1 controls, line and paragraph separators, bidi embeddings,
# overrides and isolates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def escape(text):
    """`text` with every unsafe character written as a backslash escape."""
    return _UNSAFE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


class OneLineFormatter(logging.Formatter):
    """A formatter whose messages never span lines (tracebacks still do), with
    tokens, codes and addresses taken out as from error reports."""

    def formatMessage(self, record):  # noqa: N802  (logging's name)
        record.message = escape(scrub(record.message))
        return super().formatMessage(record)

    def formatException(self, ei):  # noqa: N802  (logging's name)
        return scrub(super().formatException(ei))


class JsonFormatter(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json): time, level, logger, message,
    the request id (linkinbio/request_ids.py) and the traceback if any, with
    tokens, codes and addresses taken out as from error reports."""

    converter = time.gmtime

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
