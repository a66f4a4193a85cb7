"""Live-chat opening hours: Monday–Friday 8:30–18:30 Paris time, French public holidays closed."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from assistance.schedule import format_reopening, load_schedule
from assistance.settings import PROJECT_ROOT

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def schedule():
    return load_schedule(PROJECT_ROOT / "conf" / "live_chat.yml")


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (paris(2026, 12, 1, 8, 29), False),
        (paris(2026, 12, 1, 8, 30), True),
        (paris(2026, 12, 1, 18, 29), True),
        (paris(2026, 12, 1, 18, 30), False),
        (paris(2026, 12, 5, 10, 0), False),  # Saturday
        (paris(2026, 12, 6, 10, 0), False),  # Sunday
        (paris(2026, 7, 14, 10, 0), False),  # Fête nationale, a Tuesday
        (paris(2026, 12, 25, 10, 0), False),  # Christmas, a Friday
        (paris(2027, 3, 29, 10, 0), False),  # Easter Monday 2027
        (paris(2027, 5, 17, 10, 0), False),  # Whit Monday 2027
        (paris(2027, 3, 30, 10, 0), True),  # the Tuesday after Easter
        (paris(2026, 3, 30, 8, 30), True),  # Monday after the switch to summer time
        (paris(2026, 10, 26, 18, 29), True),  # Monday after the switch to winter time
    ],
)
def test_opening_hours(schedule, moment, is_open):
    assert schedule.is_open(moment) is is_open


def test_the_clock_is_read_in_paris_whatever_the_offset(schedule):
    # 07:30 UTC is 08:30 in Paris in winter (UTC+1), but 09:30 in summer (UTC+2).
    assert schedule.is_open(datetime.fromisoformat("2026-12-01T07:30:00+00:00"))
    assert not schedule.is_open(datetime.fromisoformat("2026-12-01T07:29:00+00:00"))
    assert schedule.is_open(datetime.fromisoformat("2026-06-30T06:30:00+00:00"))
    assert not schedule.is_open(datetime.fromisoformat("2026-06-30T06:29:00+00:00"))


def test_dst_days_themselves_are_sundays_and_closed(schedule):
    assert not schedule.is_open(paris(2026, 3, 29, 10, 0))
    assert not schedule.is_open(paris(2026, 10, 25, 10, 0))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (paris(2026, 12, 1, 7, 0), "aujourd'hui à 8 h 30"),
        (paris(2026, 12, 1, 19, 0), "demain à 8 h 30"),
        (paris(2026, 12, 4, 18, 30), "lundi à 8 h 30"),  # Friday evening
        (paris(2026, 12, 5, 11, 0), "lundi à 8 h 30"),  # Saturday
        (paris(2026, 12, 24, 19, 0), "lundi à 8 h 30"),  # Christmas Eve evening → Mon 28
        (paris(2027, 3, 26, 19, 0), "mardi à 8 h 30"),  # Friday before Easter Monday
        (paris(2027, 5, 14, 19, 0), "mardi à 8 h 30"),  # Friday before Whit Monday
    ],
)
def test_reopening_in_french(schedule, moment, expected):
    assert format_reopening(schedule.next_opening(moment), moment) == expected


def test_next_opening_is_now_when_open(schedule):
    moment = paris(2026, 12, 1, 10, 0)
    assert schedule.next_opening(moment) == moment


def test_far_reopening_names_the_date(tmp_path):
    config = tmp_path / "live_chat.yml"
    config.write_text(
        'timezone: Europe/Paris\njours: [lundi]\nouverture: "09:00"\nfermeture: "12:00"\n'
        "jours_feries: {pays: FR}\nfermetures_exceptionnelles: [2026-12-07, 2026-12-14]\n"
    )
    schedule = load_schedule(config)
    moment = paris(2026, 12, 1, 10, 0)
    assert format_reopening(schedule.next_opening(moment), moment) == "lundi 21 décembre à 9 h"
