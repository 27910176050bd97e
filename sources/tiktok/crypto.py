"""Encryption at rest for TikTok tokens (Fernet, keys from TOKEN_ENCRYPTION_KEYS).

The first key encrypts; every key decrypts, so a new key can be put in front
and old values re-encrypted with `rotate()` before the old key is removed.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt", "rotate"]


@lru_cache(maxsize=4)
def _fernet(keys):
    return MultiFernet([Fernet(key) for key in keys])


def _current():
    return _fernet(tuple(settings.TOKEN_ENCRYPTION_KEYS))


def encrypt(text):
    """The ciphertext of a secret string ("" stays "")."""
    if not text:
        return ""
    return _current().encrypt(text.encode()).decode()


def decrypt(value):
    """The secret string of a ciphertext; raises InvalidToken when no key fits."""
    if not value:
        return ""
    return _current().decrypt(value.encode()).decode()


def rotate(value):
    """The same secret re-encrypted with the first key."""
    if not value:
        return ""
    return _current().rotate(value.encode()).decode()
