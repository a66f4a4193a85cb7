"""The one place that reads the desk's settings: environment variables with safe local defaults.

The database, the live-chat schedule and the waiting delay come from actions/settings.py and
conf/live_chat.yml, shared with the action server.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "oui"}


@dataclass(frozen=True)
class DeskSettings:
    host: str
    port: int
    rasa_url: str
    rasa_token: str | None  # Rasa's --auth-token, for trigger_intent
    api_token: str | None  # bearer token of the JSON API; None disables token access
    advisors_file: Path
    allow_demo_accounts: bool  # accounts marked `demo: true` in the advisors file
    session_hours: float
    cookie_secure: bool
    sweep_seconds: float  # how often overdue waiting handoffs are given up


@lru_cache(maxsize=1)
def get_desk_settings() -> DeskSettings:
    return DeskSettings(
        host=os.environ.get("DESK_HOST", "127.0.0.1"),
        port=int(os.environ.get("DESK_PORT", "5080")),
        rasa_url=os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=os.environ.get("RASA_TOKEN") or None,
        api_token=os.environ.get("DESK_API_TOKEN") or None,
        advisors_file=Path(os.environ.get("ADVISORS_FILE", PROJECT_ROOT / "conf" / "advisors.yml")),
        allow_demo_accounts=_flag("DESK_DEMO"),
        session_hours=float(os.environ.get("DESK_SESSION_HOURS", "12")),
        cookie_secure=_flag("DESK_COOKIE_SECURE"),
        sweep_seconds=float(os.environ.get("DESK_SWEEP_SECONDS", "5")),
    )
