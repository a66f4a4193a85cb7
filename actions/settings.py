"""The one place that reads settings: environment variables with safe local defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    live_chat_config: Path
    sollicitation_catalogue: Path
    seuil_incompris: int
    seuil_votes_negatifs: int
    assistant_now: str | None  # ISO-8601 with offset; overrides the clock for demos and tests


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    default_db = f"sqlite:///{PROJECT_ROOT / 'var' / 'app.db'}"
    return Settings(
        database_url=os.environ.get("DATABASE_URL", default_db),
        live_chat_config=Path(
            os.environ.get("LIVE_CHAT_CONFIG", PROJECT_ROOT / "conf" / "live_chat.yml")
        ),
        sollicitation_catalogue=Path(
            os.environ.get(
                "SOLLICITATION_CATALOGUE", PROJECT_ROOT / "conf" / "sollicitation_catalogue.yml"
            )
        ),
        seuil_incompris=_int("SEUIL_INCOMPRIS", 2),
        seuil_votes_negatifs=_int("SEUIL_VOTES_NEGATIFS", 1),
        assistant_now=os.environ.get("ASSISTANT_NOW") or None,
    )
