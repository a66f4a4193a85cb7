"""Advisor accounts, from the advisors file (conf/advisors.yml): login, first name, bcrypt hash.

The file is parsed again when it changes, so that operators can add or remove an advisor
without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import bcrypt

from assistance import files

MAX_PASSWORD_BYTES = 72  # bcrypt's limit: longer passwords are refused, not silently cut


@dataclass(frozen=True)
class Advisor:
    login: str
    name: str  # first name, shown to users
    password_hash: bytes
    demo: bool = False


@lru_cache(maxsize=1)
def _dummy_hash() -> bytes:
    return bcrypt.hashpw(b"no such advisor", bcrypt.gensalt(rounds=10))


def parse_advisors(raw: Any) -> dict[str, Advisor]:
    advisors = {}
    for entry in (raw or {}).get("conseillers") or []:
        advisor = Advisor(
            login=str(entry["identifiant"]).strip(),
            name=str(entry.get("prenom") or entry["identifiant"]).strip(),
            password_hash=str(entry["mot_de_passe_bcrypt"]).encode(),
            demo=bool(entry.get("demo", False)),
        )
        advisors[advisor.login] = advisor
    return advisors


def load_advisors(path: Path, *, allow_demo: bool) -> dict[str, Advisor]:
    """The accounts of the file; demonstration accounts only when `allow_demo`."""
    advisors = files.load(path, parse_advisors)
    return {login: a for login, a in advisors.items() if allow_demo or not a.demo}


def authenticate(advisors: dict[str, Advisor], login: str, password: str) -> Advisor | None:
    """The advisor if the password matches; the same bcrypt work is done for an unknown login."""
    advisor = advisors.get(login.strip())
    secret = password.encode()
    if len(secret) > MAX_PASSWORD_BYTES:
        return None
    expected = advisor.password_hash if advisor else _dummy_hash()
    try:
        matches = bcrypt.checkpw(secret, expected)
    except ValueError:  # a malformed hash in the file
        return None
    return advisor if advisor and matches else None


def hash_password(password: str, rounds: int = 12) -> str:
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise ValueError(f"password longer than {MAX_PASSWORD_BYTES} bytes")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()
