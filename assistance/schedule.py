"""Live-chat opening hours and the assistant's clock: is a human advisor reachable now, when does
the chat reopen, how long may a user wait in the queue. The calendar is conf/live_chat.yml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from assistance import files

JOURS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MOIS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
    "août", "septembre", "octobre", "novembre", "décembre",
]
DEFAULT_WAITING_DELAY_MINUTES = 10.0


@dataclass(frozen=True)
class LiveChatSchedule:
    timezone: ZoneInfo
    opening: time
    closing: time
    weekdays: frozenset[int]  # 0 = Monday
    country: str = "FR"
    subdivision: str | None = None
    closed_dates: frozenset[date] = field(default_factory=frozenset)
    # How long a handoff may wait for an advisor (delai_attente_conseiller_minutes).
    waiting_delay: timedelta = timedelta(minutes=DEFAULT_WAITING_DELAY_MINUTES)

    def _holidays(self, year: int) -> holidays.HolidayBase:
        return _holiday_calendar(self.country, self.subdivision, year)

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() in self.weekdays
            and day not in self._holidays(day.year)
            and day not in self.closed_dates
        )

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.timezone)
        return self.is_working_day(local.date()) and self.opening <= local.time() < self.closing

    def seconds_until_closing(self, moment: datetime) -> float | None:
        """Seconds before the live chat closes; None when it is closed at `moment`."""
        if not self.is_open(moment):
            return None
        local = moment.astimezone(self.timezone)
        closing = datetime.combine(local.date(), self.closing, tzinfo=self.timezone)
        return (closing - local).total_seconds()

    def open_seconds_between(self, start: datetime, end: datetime) -> float:
        """How much of [start, end] the live chat was open: a wait counted in business hours."""
        if end <= start:
            return 0.0
        start, end = start.astimezone(self.timezone), end.astimezone(self.timezone)
        total = 0.0
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                opening = datetime.combine(day, self.opening, tzinfo=self.timezone)
                closing = datetime.combine(day, self.closing, tzinfo=self.timezone)
                overlap = (min(end, closing) - max(start, opening)).total_seconds()
                total += max(0.0, overlap)
            day += timedelta(days=1)
        return total

    def next_opening(self, moment: datetime) -> datetime:
        """The first opening time at or after `moment` (the moment itself if open)."""
        local = moment.astimezone(self.timezone)
        if self.is_open(local):
            return local
        day = local.date()
        if local.time() >= self.opening or not self.is_working_day(day):
            day += timedelta(days=1)
        for _ in range(366):
            if self.is_working_day(day):
                return datetime.combine(day, self.opening, tzinfo=self.timezone)
            day += timedelta(days=1)
        raise ValueError("the live chat never opens in the coming year: check conf/live_chat.yml")


@lru_cache(maxsize=32)
def _holiday_calendar(country: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdivision, years=year)


def _parse_time(value: str) -> time:
    hours, minutes = str(value).split(":")
    return time(int(hours), int(minutes))


def parse_schedule(raw: Any) -> LiveChatSchedule:
    raw = raw or {}
    feries = raw.get("jours_feries") or {}
    return LiveChatSchedule(
        timezone=ZoneInfo(raw.get("timezone", "Europe/Paris")),
        opening=_parse_time(raw["ouverture"]),
        closing=_parse_time(raw["fermeture"]),
        weekdays=frozenset(JOURS.index(j.lower()) for j in raw["jours"]),
        country=feries.get("pays", "FR"),
        subdivision=feries.get("subdivision"),
        closed_dates=frozenset(
            date.fromisoformat(str(d)) for d in raw.get("fermetures_exceptionnelles") or []
        ),
        waiting_delay=timedelta(
            minutes=float(raw.get("delai_attente_conseiller_minutes", DEFAULT_WAITING_DELAY_MINUTES))
        ),
    )


def load_schedule(path: Path | str) -> LiveChatSchedule:
    """The schedule of conf/live_chat.yml (or another file), parsed again when it changes."""
    return files.load(path, parse_schedule)


def clock(override: str | None) -> datetime:
    """The current time, or the ASSISTANT_NOW override (ISO-8601 with offset)."""
    if override:
        moment = datetime.fromisoformat(override)
        if moment.tzinfo is None:
            raise ValueError("ASSISTANT_NOW needs a UTC offset, e.g. 2026-12-01T10:00:00+01:00")
        return moment
    return datetime.now().astimezone()


def format_heure(moment: datetime) -> str:
    return f"{moment.hour} h {moment.minute:02d}" if moment.minute else f"{moment.hour} h"


def format_reopening(opening: datetime, moment: datetime) -> str:
    """French words for when the chat reopens, seen from `moment`:
    « aujourd'hui à 8 h 30 », « demain à 8 h 30 », « lundi à 8 h 30 »,
    or « mardi 2 janvier à 8 h 30 » beyond the coming week."""
    local_now = moment.astimezone(opening.tzinfo)
    days = (opening.date() - local_now.date()).days
    heure = format_heure(opening)
    if days == 0:
        return f"aujourd'hui à {heure}"
    if days == 1:
        return f"demain à {heure}"
    jour = JOURS[opening.weekday()]
    if days < 7:
        return f"{jour} à {heure}"
    numero = "1er" if opening.day == 1 else str(opening.day)
    return f"{jour} {numero} {MOIS[opening.month - 1]} à {heure}"
