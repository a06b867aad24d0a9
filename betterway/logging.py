"""Logging filters. Invitation links carry a secret token in their path; Django's request logger
writes paths of 4xx/5xx responses, so every record is scrubbed before any handler sees it."""

from __future__ import annotations

import logging
import re

_TOKEN_IN_PATH = re.compile(r"(/r/)[^/\s\"']+")


def redact(text: str) -> str:
    return _TOKEN_IN_PATH.sub(r"\1[link]", text)


class RedactInvitationTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        # Django attaches the request to request-log records; handlers may format it.
        if hasattr(record, "request"):
            record.request = None
        return True
