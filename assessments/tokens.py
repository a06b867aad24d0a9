"""Personal invitation links, and the signed links to rounds' public summaries.

A link's token is an HMAC of a random per-invitation salt under SECRET_KEY, and the database keeps
only the salt and a SHA-256 hash of the token. So the server can rebuild a link to email a reminder
or show it to the facilitator, yet a copy of the database alone holds no usable link.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing

SALT_BYTES = 16
TOKEN_LENGTH = 64  # hex characters: 256 bits
_PURPOSE = b"betterway.invitation-link"  # single purpose: these tokens open invitations only


def new_salt() -> str:
    return secrets.token_hex(SALT_BYTES)


def token_for(salt: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), _PURPOSE + b":" + salt.encode(), hashlib.sha256
    ).hexdigest()
    return digest  # 256 bits, hex: safe in a URL path and in email clients


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- The public summary of a released round -------------------------------------------------

_SUMMARY_SALT = "betterway.public-summary"  # a signature for one purpose only


def summary_token(cycle_id: int) -> str:
    """The unguessable part of a round's public summary link: the cycle's id, signed with
    SECRET_KEY. Emailed to everyone invited when the round is released."""
    return signing.Signer(salt=_SUMMARY_SALT).sign(str(cycle_id))


def cycle_id_from_summary_token(token: str) -> int | None:
    """The cycle id a summary link was made for, or None for anything not made by us."""
    try:
        return int(signing.Signer(salt=_SUMMARY_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
