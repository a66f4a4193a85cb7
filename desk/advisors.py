"""Advisor accounts, from the advisors file (conf/advisors.yml): login, first name, bcrypt hash,
roles (`conseiller`: the live chat; `formateur`: the trainers' workbench; default conseiller).

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
ADVISOR, TRAINER = "conseiller", "formateur"
ROLES = (ADVISOR, TRAINER)


@dataclass(frozen=True)
class Advisor:
    login: str
    name: str  # first name, shown to users
    password_hash: bytes
    demo: bool = False
    roles: frozenset[str] = frozenset({ADVISOR})

    def has_role(self, role: str) -> bool:
        return role in self.roles


DEFAULT_COST = 12


@lru_cache(maxsize=8)
def _dummy_hash(cost: int) -> bytes:
    return bcrypt.hashpw(b"no such advisor", bcrypt.gensalt(rounds=cost))


def _cost(password_hash: bytes) -> int:
    """The work factor of a bcrypt hash ($2b$12$… → 12)."""
    try:
        return int(password_hash.split(b"$")[2])
    except (IndexError, ValueError):
        return DEFAULT_COST


def parse_advisors(raw: Any) -> dict[str, Advisor]:
    advisors = {}
    for entry in (raw or {}).get("conseillers") or []:
        roles = entry.get("roles") or [ADVISOR]
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles {sorted(unknown)} for {entry.get('identifiant')}: use {ROLES}")
        advisor = Advisor(
            login=str(entry["identifiant"]).strip(),
            name=str(entry.get("prenom") or entry["identifiant"]).strip(),
            password_hash=str(entry["mot_de_passe_bcrypt"]).encode(),
            demo=bool(entry.get("demo", False)),
            roles=frozenset(roles),
        )
        advisors[advisor.login] = advisor
    return advisors


def load_advisors(path: Path, *, allow_demo: bool) -> dict[str, Advisor]:
    """The accounts of the file; demonstration accounts only when `allow_demo`."""
    advisors = files.load(path, parse_advisors)
    return {login: a for login, a in advisors.items() if allow_demo or not a.demo}


def authenticate(advisors: dict[str, Advisor], login: str, password: str) -> Advisor | None:
    """The advisor if the password matches. An unknown login costs the same bcrypt work as a
    known one (a dummy hash of the accounts' own cost), so timing does not tell logins apart."""
    advisor = advisors.get(login.strip())
    secret = password.encode()
    if len(secret) > MAX_PASSWORD_BYTES:
        secret = secret[:MAX_PASSWORD_BYTES]  # still hashed, then refused: no shortcut to time
    if advisor is not None:
        expected = advisor.password_hash
    else:
        costs = [_cost(a.password_hash) for a in advisors.values()]
        expected = _dummy_hash(max(costs) if costs else DEFAULT_COST)
    try:
        matches = bcrypt.checkpw(secret, expected)
    except ValueError:  # a malformed hash in the file, or a NUL in the password
        return None
    too_long = len(password.encode()) > MAX_PASSWORD_BYTES
    return advisor if advisor and matches and not too_long else None


def hash_password(password: str, rounds: int = 12) -> str:
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise ValueError(f"password longer than {MAX_PASSWORD_BYTES} bytes")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()
