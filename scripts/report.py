#!/usr/bin/env python
"""The dashboard's figures from the command line: for a weekly e-mail or a cron job.

    .venv/bin/python scripts/report.py                                   the last 7 days, by day
    .venv/bin/python scripts/report.py --du 2026-11-30 --au 2026-12-06 --pas semaine
    .venv/bin/python scripts/report.py --json                            the desk API's JSON
    .venv/bin/python scripts/report.py --csv indicateurs > semaine.csv   one table (also: votes,
                                                                         sollicitations)

The same figures as the desk's « Tableau de bord » and GET /api/formation/tableau-de-bord:
application database (DATABASE_URL) and Rasa's tracker store (TRACKER_DB, or the PostgreSQL of
endpoints.prod.yml with ENDPOINTS_FILE=endpoints.prod.yml), read-only. Exit status 0, or 2 for a
bad argument or a database error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f} min"


def text_report(report: dict) -> str:
    """A plain-text summary, e.g. the body of a weekly e-mail."""
    t = report["totals"]
    motifs = t["offers_by_motif"]
    lines = [
        f"Claud.IA — du {report['period']['from'][:10]} au {report['period']['to'][:10]} (exclu)",
        f"Conversations : {t['conversations']} ; sans offre d'un humain : {t['contained']} "
        f"({_percent(t['containment'])})",
        f"Offres d'un humain : {t['offers']} (incompréhensions {motifs['incompris']}, votes 👎 "
        f"{motifs['vote_negatif']}, demandes directes {motifs['demande_directe']}, autres "
        f"{motifs['autre']}) ; acceptées : {t['offers_accepted']}",
        f"Transferts : {t['handoffs']} ; pris {t['handoffs_taken']} ; abandonnés {t['handoffs_abandoned']}",
        f"Attente d'un conseiller (heures ouvrées) : médiane {_minutes(t['wait_median_seconds'])}, "
        f"p90 {_minutes(t['wait_p90_seconds'])}",
        f"Sollicitations rédigées : {t['solicitations']}" + "".join(
            f" — {d['label']} {d.get('prete', 0)}" for d in report["solicitations_by_destination"]
        ),
        f"Messages incompris : {t['misunderstood']} sur {t['messages']} "
        f"({_percent(t['misunderstanding_rate'])})",
        "Votes par sujet (👍/👎) : " + (", ".join(
            f"{v['topic']} {v['positive']}/{v['negative']}" for v in report["votes_by_topic"]
        ) or "aucun"),
        "",
        "Par " + report["period"]["step"] + " : conversations, autonomie, offres, incompris",
    ]
    for row in report["series"]:
        lines.append(f"  {row['bucket']}  {row['conversations']:>5}  {_percent(row['containment']):>8}  "
                     f"{row['offers']:>4}  {_percent(row['misunderstanding_rate']):>8}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The dashboard's figures for a period.")
    parser.add_argument("--du", help="first day (YYYY-MM-DD) or ISO date-time; default: 7 days ago")
    parser.add_argument("--au", help="last day (included) or ISO date-time (excluded); default: today")
    parser.add_argument("--pas", default="jour", choices=["jour", "semaine"], help="by day or by week")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the figures as JSON")
    output.add_argument("--csv", choices=["indicateurs", "votes", "sollicitations"], help="one table as CSV")
    args = parser.parse_args(argv)

    from sqlalchemy.exc import SQLAlchemyError

    from assistance.bootstrap import bootstrap
    from assistance.training import metrics

    core = bootstrap()
    tz = core.schedule().timezone
    try:
        period = metrics.period_between(
            args.du, args.au, args.pas, tz, datetime.now(tz).date(), default_days=7
        )
    except ValueError as error:
        print(f"bad period: {error}", file=sys.stderr)
        return 2
    try:
        report = core.workbench().dashboard(period)
    except SQLAlchemyError as error:
        print(f"database error: {error}", file=sys.stderr)
        return 2
    finally:
        core.close_workbench()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    elif args.csv:
        columns, rows = metrics.tables(report)[args.csv]
        sys.stdout.write(metrics.to_csv(columns, rows).lstrip("\ufeff"))
    else:
        print(text_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
