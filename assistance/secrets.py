"""Secrets shared by the processes: making them, judging them, and the JWT of Rasa's HTTP API.

Rasa's HTTP API (conversations, trackers, `PUT /model`, `trigger_intent`) is authenticated with
a JWT signed by RASA_JWT_SECRET, sent in the `Authorization` header: never a token in a URL, which
would land in access logs, nor a secret on a command line, visible in the process list.
"""

from __future__ import annotations

import secrets
import time

import jwt

MIN_LENGTH = 24
KNOWN_DEFAULTS = ("change-me", "changeme", "secret", "password", "test-token", "demo")


def generate() -> str:
    return secrets.token_urlsafe(32)


def is_weak(value: str | None) -> bool:
    """Empty, short, or one of the placeholders people leave in configuration files."""
    if not value or len(value) < MIN_LENGTH:
        return True
    lowered = value.lower()
    return any(lowered.startswith(default) for default in KNOWN_DEFAULTS)


def rasa_jwt(secret: str, *, username: str = "claudia-desk", ttl_seconds: int = 300) -> str:
    """A short-lived admin JWT for Rasa's HTTP API (HS256, as the servers are started with)."""
    now = int(time.time())
    payload = {"user": {"username": username, "role": "admin"}, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(payload, secret, algorithm="HS256")
