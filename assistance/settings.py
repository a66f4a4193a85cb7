"""The one place that reads settings: environment variables with safe local defaults.

Every process (action server, Rasa server components, advisor desk, command-line tools) reads
the same `Settings`. `get_settings()` builds them once from the environment; tests build their
own with `Settings.from_env({...})` or `dataclasses.replace` and hand them to the code they test.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "oui"}


@dataclass(frozen=True)
class Settings:
    database_url: str
    live_chat_config: Path
    solicitation_catalogue: Path
    advisors_file: Path
    misunderstanding_threshold: int  # SEUIL_INCOMPRIS: misunderstood answers before the offer
    negative_vote_threshold: int  # SEUIL_VOTES_NEGATIFS: 👎 before the offer
    assistant_now: str | None  # ISO-8601 with offset; overrides the clock for demos and tests
    # The advisor desk.
    desk_host: str
    desk_port: int
    rasa_url: str
    desk_api_token: str | None  # bearer token of the desk's JSON API; None disables token access
    allow_demo_accounts: bool  # accounts marked `demo: true` in the advisors file
    session_hours: float
    cookie_secure: bool | None  # None: Secure whenever the desk is reached over HTTPS or not on loopback
    sweep_seconds: float  # how often the desk gives up overdue waiting handoffs
    desk_rasa_timeout: float  # seconds the desk waits for Rasa before saying it was not reached
    # Secrets shared by the processes (generated in var/secrets.env by `make run`).
    rasa_jwt_secret: str | None  # signs the JWTs of Rasa's HTTP API (the desk, operators)
    action_server_token: str | None  # the bearer token Rasa sends to the action server
    handoff_limit: int  # handoffs one conversation may open per window (HANDOFF_LIMIT)
    handoff_limit_per_client: int  # … and one client address (HANDOFF_LIMIT_PER_CLIENT, 0 = none)
    handoff_limit_window_minutes: float  # HANDOFF_LIMIT_WINDOW_MINUTES
    redis_url: str | None  # REDIS_URL: socket.io servers of the replicas and desk processes meet there
    public_bind: bool  # CLAUDIA_PUBLIC_BIND: a container platform's network decides what is public
    production: bool  # CLAUDIA_MODE=production: refuse unsafe settings (assistance/production.py)
    rasa_interface: str  # where the Rasa server listens
    actions_host: str  # where the action server listens

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def path(name: str, default: Path) -> Path:
            return Path(env.get(name) or default)

        return cls(
            database_url=env.get("DATABASE_URL") or f"sqlite:///{PROJECT_ROOT / 'var' / 'app.db'}",
            live_chat_config=path("LIVE_CHAT_CONFIG", PROJECT_ROOT / "conf" / "live_chat.yml"),
            solicitation_catalogue=path(
                "SOLLICITATION_CATALOGUE", PROJECT_ROOT / "conf" / "sollicitation_catalogue.yml"
            ),
            advisors_file=path("ADVISORS_FILE", PROJECT_ROOT / "conf" / "advisors.yml"),
            misunderstanding_threshold=int(env.get("SEUIL_INCOMPRIS") or 2),
            negative_vote_threshold=int(env.get("SEUIL_VOTES_NEGATIFS") or 1),
            assistant_now=env.get("ASSISTANT_NOW") or None,
            desk_host=env.get("DESK_HOST") or "127.0.0.1",
            desk_port=int(env.get("DESK_PORT") or 5080),
            rasa_url=(env.get("RASA_URL") or "http://127.0.0.1:5005").rstrip("/"),
            desk_api_token=env.get("DESK_API_TOKEN") or None,
            allow_demo_accounts=_flag(env.get("DESK_DEMO")),
            session_hours=float(env.get("DESK_SESSION_HOURS") or 12),
            cookie_secure=None if env.get("DESK_COOKIE_SECURE") in (None, "", "auto")
            else _flag(env.get("DESK_COOKIE_SECURE")),
            sweep_seconds=float(env.get("DESK_SWEEP_SECONDS") or 5),
            desk_rasa_timeout=float(env.get("DESK_RASA_TIMEOUT") or 10),
            rasa_jwt_secret=env.get("RASA_JWT_SECRET") or None,
            action_server_token=env.get("ACTION_SERVER_TOKEN") or None,
            handoff_limit=int(env.get("HANDOFF_LIMIT") or 3),
            handoff_limit_per_client=int(env.get("HANDOFF_LIMIT_PER_CLIENT") or 20),
            handoff_limit_window_minutes=float(env.get("HANDOFF_LIMIT_WINDOW_MINUTES") or 60),
            redis_url=env.get("REDIS_URL") or None,
            public_bind=_flag(env.get("CLAUDIA_PUBLIC_BIND")),
            production=(env.get("CLAUDIA_MODE") or "local").strip().lower() == "production",
            rasa_interface=env.get("RASA_INTERFACE") or "127.0.0.1",
            actions_host=env.get("ACTIONS_HOST") or "127.0.0.1",
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """This process's settings, read from the environment once."""
    return Settings.from_env()
