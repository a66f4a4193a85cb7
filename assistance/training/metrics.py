"""The dashboard: how the assistant did over a period, by day or by week.

Conversations (one Rasa session each, dated by its first message), containment (the share that
ended without any offer of a human: advisor or solicitation), offers by reason and how many were
taken, handoffs taken and abandoned with the advisor wait counted in opening hours only
(assistance.schedule), solicitations by destination, the misunderstanding rate (typed messages
that fell back or were out of scope) and 👍/👎 by FAQ topic.

One `dashboard()` feeds the desk's page and JSON API and scripts/report.py; `tables()` gives the
same figures as the CSV tables the page offers for download.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from assistance.db import Database, aware
from assistance.db.models import Handoff, Sollicitation, Vote
from assistance.handoffs import HandoffStatus
from assistance.schedule import LiveChatSchedule
from assistance.training.conversations import Conversation, read_conversations
from assistance.training.tracker import TrackerReader

STEPS = ("jour", "semaine")
MOTIFS = ("incompris", "vote_negatif", "demande_directe")
OTHER_MOTIF = "autre"


@dataclass(frozen=True)
class Period:
    since: datetime  # aware
    until: datetime  # aware, excluded
    step: str = "jour"

    @classmethod
    def of_days(cls, first: date, last: date, step: str, tz: ZoneInfo) -> Period:
        """From the start of `first` to the end of `last`, in the schedule's time zone."""
        since = datetime.combine(first, time(0), tzinfo=tz)
        until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
        return cls(since, until, step)


DEFAULT_DAYS = 30


def parse_moment(value: str | None, *, end: bool, tz: ZoneInfo) -> datetime | None:
    """A date (its whole day in `tz`: `end` gives the next midnight) or an ISO date-time;
    ValueError if it is neither."""
    if not value:
        return None
    if len(value) == 10:
        day = date.fromisoformat(value) + (timedelta(days=1) if end else timedelta())
        return datetime.combine(day, time(0), tzinfo=tz)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def period_between(
    since: str | None, until: str | None, step: str, tz: ZoneInfo, today: date,
    default_days: int = DEFAULT_DAYS,
) -> Period:
    """The period the trainer asked for: by default the `default_days` days up to `today`.
    ValueError for a bad date, an unknown step, or an end before the start."""
    if step not in STEPS:
        raise ValueError(f"pas « {step} » (jour ou semaine)")
    end = parse_moment(until, end=True, tz=tz) or datetime.combine(
        today + timedelta(days=1), time(0), tzinfo=tz
    )
    start = parse_moment(since, end=False, tz=tz) or end - timedelta(days=default_days)
    if start >= end:
        raise ValueError("la date de début doit précéder la date de fin")
    return Period(start, end, step)


def _bucket(moment: datetime, step: str, tz: ZoneInfo) -> str:
    day = moment.astimezone(tz).date()
    if step == "semaine":
        day -= timedelta(days=day.weekday())
    return day.isoformat()


def buckets(period: Period, tz: ZoneInfo) -> list[str]:
    found, day = [], period.since.astimezone(tz).date()
    last = (period.until - timedelta(microseconds=1)).astimezone(tz).date()
    while day <= last:
        key = _bucket(datetime.combine(day, time(12), tzinfo=tz), period.step, tz)
        if key not in found:
            found.append(key)
        day += timedelta(days=1)
    return found


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _empty() -> dict[str, Any]:
    return {
        "conversations": 0, "contained": 0, "offers": 0,
        "offers_by_motif": {m: 0 for m in (*MOTIFS, OTHER_MOTIF)},
        "offers_accepted": 0, "accepted_by_outcome": {"transfert": 0, "sollicitation": 0},
        "handoffs": 0, "handoffs_taken": 0, "handoffs_abandoned": 0, "waits": [],
        "solicitations": 0, "messages": 0, "misunderstood": 0,
        "votes_positive": 0, "votes_negative": 0,
    }


def _finish(figures: dict[str, Any]) -> dict[str, Any]:
    waits = sorted(figures.pop("waits"))
    figures["containment"] = _rate(figures["contained"], figures["conversations"])
    figures["misunderstanding_rate"] = _rate(figures["misunderstood"], figures["messages"])
    figures["acceptance_rate"] = _rate(figures["offers_accepted"], figures["offers"])
    figures["wait_median_seconds"] = statistics.median(waits) if waits else None
    figures["wait_p90_seconds"] = _quantile(waits, 0.9)
    return figures


def _count_conversation(figures: dict[str, Any], conversation: Conversation) -> None:
    figures["conversations"] += 1
    figures["contained"] += not conversation.offers
    for offer in conversation.offers:
        figures["offers"] += 1
        motif = offer.motif if offer.motif in MOTIFS else OTHER_MOTIF
        figures["offers_by_motif"][motif] += 1
        if offer.accepted:
            figures["offers_accepted"] += 1
            figures["accepted_by_outcome"][offer.outcome] += 1


def dashboard(
    db: Database, tracker: TrackerReader, schedule: LiveChatSchedule, period: Period
) -> dict[str, Any]:
    """Every figure of the dashboard for `period`, in total and by day or week."""
    tz = schedule.timezone
    keys = buckets(period, tz)
    series = {key: _empty() for key in keys}
    total = _empty()
    since, until = period.since.timestamp(), period.until.timestamp()

    def both(moment: datetime) -> list[dict[str, Any]]:
        key = _bucket(moment, period.step, tz)
        return [total, series[key]] if key in series else [total]

    senders = tracker.senders(period.since, period.until)
    for sender, events in tracker.events(senders, until=period.until).items():
        for conversation in read_conversations(sender, events):
            if since <= conversation.started_at < until:
                for figures in both(datetime.fromtimestamp(conversation.started_at, tz)):
                    _count_conversation(figures, conversation)
            for message in conversation.typed:
                if since <= message.timestamp < until:
                    for figures in both(datetime.fromtimestamp(message.timestamp, tz)):
                        figures["messages"] += 1
                        figures["misunderstood"] += message.misunderstood

    with db.session() as session:
        handoffs = session.execute(
            select(Handoff.created_at, Handoff.taken_at, Handoff.status)
            .where(Handoff.created_at >= period.since, Handoff.created_at < period.until)
        ).all()
        drafts = session.execute(
            select(Sollicitation.created_at, Sollicitation.destination,
                   Sollicitation.destination_libelle, Sollicitation.status)
            .where(Sollicitation.created_at >= period.since, Sollicitation.created_at < period.until)
        ).all()
        votes = session.execute(
            select(Vote.created_at, Vote.topic, Vote.value)
            .where(Vote.created_at >= period.since, Vote.created_at < period.until)
        ).all()

    for created, taken, status in handoffs:
        created, taken = aware(created), aware(taken)
        for figures in both(created):
            figures["handoffs"] += 1
            if taken is not None:
                figures["handoffs_taken"] += 1
                figures["waits"].append(schedule.open_seconds_between(created, taken))
            elif status == HandoffStatus.ABANDONED.value:
                figures["handoffs_abandoned"] += 1

    destinations: dict[str, dict[str, Any]] = {}
    for created, destination, label, status in drafts:
        entry = destinations.setdefault(destination or "inconnue", {
            "destination": destination or "inconnue", "label": label or destination or "inconnue",
            "prete": 0, "brouillon": 0, "abandonnee": 0,
        })
        entry[status] = entry.get(status, 0) + 1
        if status == "prete":
            for figures in both(aware(created)):
                figures["solicitations"] += 1

    by_topic: dict[str, Counter] = defaultdict(Counter)
    for created, topic, value in votes:
        by_topic[topic or "inconnu"]["positive" if value > 0 else "negative"] += 1
        for figures in both(aware(created)):
            figures["votes_positive" if value > 0 else "votes_negative"] += 1

    return {
        "period": {
            "from": period.since.isoformat(), "to": period.until.isoformat(), "step": period.step,
            "timezone": str(tz),
        },
        "totals": _finish(total),
        "series": [{"bucket": key, **_finish(series[key])} for key in keys],
        "votes_by_topic": sorted(
            ({"topic": topic, "positive": c["positive"], "negative": c["negative"]}
             for topic, c in by_topic.items()),
            key=lambda row: (-(row["positive"] + row["negative"]), row["topic"]),
        ),
        "solicitations_by_destination": sorted(destinations.values(), key=lambda d: d["destination"]),
    }


# --- The same figures as tables (CSV downloads, scripts/report.py) -------------------------

def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"


INDICATOR_COLUMNS = [
    "periode", "conversations", "sans_offre", "taux_autonomie_pct", "offres", "offres_incompris",
    "offres_vote_negatif", "offres_demande_directe", "offres_autres", "offres_acceptees",
    "acceptees_conseiller", "acceptees_sollicitation", "transferts", "transferts_pris",
    "transferts_abandonnes", "attente_mediane_min", "attente_p90_min", "sollicitations_redigees",
    "messages", "incompris", "taux_incompris_pct", "votes_positifs", "votes_negatifs",
]


def _indicator_row(label: str, f: dict[str, Any]) -> list[Any]:
    motifs = f["offers_by_motif"]
    return [
        label, f["conversations"], f["contained"], _percent(f["containment"]), f["offers"],
        motifs["incompris"], motifs["vote_negatif"], motifs["demande_directe"], motifs[OTHER_MOTIF],
        f["offers_accepted"], f["accepted_by_outcome"]["transfert"],
        f["accepted_by_outcome"]["sollicitation"], f["handoffs"], f["handoffs_taken"],
        f["handoffs_abandoned"], _minutes(f["wait_median_seconds"]), _minutes(f["wait_p90_seconds"]),
        f["solicitations"], f["messages"], f["misunderstood"], _percent(f["misunderstanding_rate"]),
        f["votes_positive"], f["votes_negative"],
    ]


def tables(report: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """name → (columns, rows): indicateurs (by day or week, then the total), votes, sollicitations."""
    indicators = [_indicator_row(row["bucket"], row) for row in report["series"]]
    indicators.append(_indicator_row("total", report["totals"]))
    votes = [
        [row["topic"], row["positive"], row["negative"],
         _percent(_rate(row["positive"], row["positive"] + row["negative"]))]
        for row in report["votes_by_topic"]
    ]
    solicitations = [
        [row["destination"], row["label"], row.get("prete", 0), row.get("brouillon", 0),
         row.get("abandonnee", 0)]
        for row in report["solicitations_by_destination"]
    ]
    return {
        "indicateurs": (INDICATOR_COLUMNS, indicators),
        "votes": (["sujet", "votes_positifs", "votes_negatifs", "part_positive_pct"], votes),
        "sollicitations": (
            ["destination", "libelle", "redigees", "brouillons", "abandonnees"], solicitations
        ),
    }


def to_csv(columns: list[str], rows: list[list[Any]]) -> str:
    """CSV as spreadsheets in France open it: semicolons, UTF-8 with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return "\ufeff" + out.getvalue()
