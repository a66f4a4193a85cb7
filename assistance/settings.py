"""The one place that reads settings: environment variables with safe local defaults.

Every process (action server, Rasa server components, advisor desk, command-line tools) reads
the same `Settings`. `get_settings()` builds them once from the environment; tests build their
own with `Settings.from_env({...})` or `dataclasses.replace` and hand them to the code they test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy.engine import URL

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "oui"}


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    days = int(raw) if raw and raw.strip() else default
    if days < 1:
        raise ValueError(f"{name} must be a number of days, at least 1 (got {raw!r})")
    return days


@dataclass(frozen=True)
class Retention:
    """How many days each kind of personal data is kept, counted from its last change; older
    data is deleted by `scripts/privacy.py purge` (assistance/retention.py), which operators
    schedule daily. Defaults to be confirmed by the data protection officer (README « Personal
    data »)."""

    # RETENTION_EVENTS_DAYS: Rasa's tracker events (every message, the website's metadata).
    events_days: int = 30
    # RETENTION_HANDOFFS_DAYS: live-chat handoffs, their transcript and messages, from their
    # end (from their creation when they never ended).
    handoffs_days: int = 90
    # RETENTION_READY_DRAFTS_DAYS: solicitation drafts the user confirmed (« prete »), which they
    # may still read back or an advisor look up while the request is dealt with.
    ready_drafts_days: int = 30
    # RETENTION_UNFINISHED_DRAFTS_DAYS: drafts left unfinished (« brouillon ») or discarded
    # (« abandonnee »): kept only long enough to be resumed.
    unfinished_drafts_days: int = 7
    # RETENTION_VOTES_DAYS: 👍/👎 with the question they rated (the trainers' statistics).
    votes_days: int = 180

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Retention:
        defaults = cls()
        return cls(
            events_days=_days(env, "RETENTION_EVENTS_DAYS", defaults.events_days),
            handoffs_days=_days(env, "RETENTION_HANDOFFS_DAYS", defaults.handoffs_days),
            ready_drafts_days=_days(env, "RETENTION_READY_DRAFTS_DAYS", defaults.ready_drafts_days),
            unfinished_drafts_days=_days(
                env, "RETENTION_UNFINISHED_DRAFTS_DAYS", defaults.unfinished_drafts_days
            ),
            votes_days=_days(env, "RETENTION_VOTES_DAYS", defaults.votes_days),
        )


_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def tracker_database_url(endpoints_file: Path, env: Mapping[str, str]) -> str | None:
    """The SQLAlchemy URL of the Rasa server's tracker database, read from the endpoints file
    the Rasa server is given (ENDPOINTS_FILE), with its ${VARIABLES} filled in as Rasa does.

    Built like Rasa's SQLTrackerStore.get_db_url; None when the file names no SQL tracker store.
    TRACKER_DB defaults to var/tracker.db, as in scripts/env.sh.
    """
    try:
        endpoints = yaml.safe_load(endpoints_file.read_text(encoding="utf-8")) or {}
    except OSError:
        return None
    store = endpoints.get("tracker_store") or {}
    if str(store.get("type", "")).split(".")[-1] not in {"SQL", "sql", "CachedSQLTrackerStore"}:
        return None
    defaults = {"TRACKER_DB": str(PROJECT_ROOT / "var" / "tracker.db")}

    def value(key: str) -> str:
        raw = str(store.get(key) or "")
        return _VARIABLE.sub(lambda match: env.get(match[1]) or defaults.get(match[1], ""), raw)

    dialect, host, db = value("dialect") or "sqlite", value("url"), value("db") or "rasa.db"
    if "://" in host:
        return host
    if dialect == "sqlite":
        path = Path(db)
        return f"sqlite:///{path if path.is_absolute() else PROJECT_ROOT / path}"
    port = value("port")
    return URL.create(
        dialect, username=value("username") or None, password=value("password") or None,
        host=host or None, port=int(port) if port else None, database=db,
    ).render_as_string(hide_password=False)


@dataclass(frozen=True)
class Settings:
    database_url: str
    # The Rasa server's tracker database (its `events` table), from ENDPOINTS_FILE: retention and
    # erasure delete conversations there. None when the endpoints name no SQL tracker store.
    tracker_database_url: str | None
    retention: Retention
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
    sweep_seconds: float  # how often the desk gives up overdue waiting handoffs and retries missed wake-ups
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
    # The trainers' workbench (assistance/training).
    rasa_model: Path  # RASA_MODEL: the model the Rasa server starts with
    training_project: Path  # the Rasa project the workbench writes to and trains: data/, tests/nlu/
    training_workdir: Path  # trained models, evaluations and logs of the workbench
    low_confidence: float  # SEUIL_CONFIANCE_FAIBLE: answers below it go to the trainers' inbox
    similarity: float  # SEUIL_SIMILARITE: 0-100, messages at least this alike are grouped
    finetune_fraction: float  # FORMATION_FRACTION_EPOQUES: share of epochs to fine-tune; 0 = full training

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def path(name: str, default: Path) -> Path:
            return Path(env.get(name) or default)

        endpoints = path("ENDPOINTS_FILE", PROJECT_ROOT / "endpoints.yml")
        return cls(
            database_url=env.get("DATABASE_URL") or f"sqlite:///{PROJECT_ROOT / 'var' / 'app.db'}",
            tracker_database_url=tracker_database_url(
                endpoints if endpoints.is_absolute() else PROJECT_ROOT / endpoints, env
            ),
            retention=Retention.from_env(env),
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
            rasa_model=path("RASA_MODEL", PROJECT_ROOT / "models" / "claudia.tar.gz"),
            training_project=path("TRAINING_PROJECT", PROJECT_ROOT),
            training_workdir=path("TRAINING_WORKDIR", PROJECT_ROOT / "var" / "formation"),
            low_confidence=float(env.get("SEUIL_CONFIANCE_FAIBLE") or 0.7),
            similarity=float(env.get("SEUIL_SIMILARITE") or 90),
            finetune_fraction=float(env.get("FORMATION_FRACTION_EPOQUES") or 0),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """This process's settings, read from the environment once."""
    return Settings.from_env()
