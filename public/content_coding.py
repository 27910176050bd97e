"""Whether a browser takes a gzipped answer, as its Accept-Encoding says
(RFC 9110, 12.5.3): "gzip" or "*" with a weight above 0. A weight of 0
refuses it: "gzip;q=0" gets the plain bytes.

Used by the warm public page and by the site's compression middleware
(linkinbio/compression.py)."""

import re

_GZIP = re.compile(r"\bgzip\b")


def accepts_gzip(header):
    if ";" not in header and "*" not in header:  # "gzip, deflate, br": no weights
        return _GZIP.search(header) is not None
    anything = False
    for item in header.split(","):
        coding, _, parameters = item.partition(";")
        coding = coding.strip().lower()
        if coding not in ("gzip", "x-gzip", "*"):
            continue
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0  # not a weight: the plain bytes are always fine
        if coding == "*":
            anything = weight > 0
        else:
            return weight > 0
    return anything
