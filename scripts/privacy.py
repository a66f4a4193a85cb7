#!/usr/bin/env python
"""Personal data: delete what is older than its retention, or one conversation everywhere.

    .venv/bin/python scripts/privacy.py purge [--dry-run]            daily, scheduled by operators
    .venv/bin/python scripts/privacy.py erase <conversation_id> [--dry-run]

`purge` deletes, per kind, what is older than its retention (RETENTION_*_DAYS, see
assistance/settings.py and the README's « Personal data »): tracker events, live-chat handoffs
with their messages, solicitation drafts (ready, unfinished), votes. `erase` deletes everything
stored about one conversation: its tracker events, handoffs and their messages, drafts, votes.
Both print how many rows each kind lost, never what they held; `--dry-run` only counts.

The databases are the assistant's (DATABASE_URL) and the Rasa server's tracker database, read
from the same endpoints file (ENDPOINTS_FILE, default endpoints.yml; TRACKER_DB or POSTGRES_*):
run it with the environment of the servers (scripts/env.sh, or the launchers' environment).
Exit status: 0 done, 2 usage, database or configuration error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
# This checkout's core, whichever checkout the virtual environment's editable install points to.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LABELS = {
    "events": ("tracker events", "events_days"),
    "handoffs": ("live-chat handoffs", "handoffs_days"),
    "handoff_messages": ("  their messages", "handoffs_days"),
    "ready_drafts": ("ready drafts", "ready_drafts_days"),
    "unfinished_drafts": ("unfinished drafts", "unfinished_drafts_days"),
    "votes": ("votes", "votes_days"),
}


def report(removed: dict[str, int], retention=None) -> str:
    lines = []
    for kind, count in removed.items():
        label, days = LABELS[kind]
        shown = retention is not None and kind != "handoff_messages"
        kept = f"   (kept {getattr(retention, days)} days)" if shown else ""
        lines.append(f"  {label:<20} {count:>7}{kept}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Retention and erasure of personal data.")
    commands = parser.add_subparsers(dest="command", required=True)
    purge = commands.add_parser("purge", help="delete what is older than its retention")
    purge.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    erase = commands.add_parser("erase", help="delete everything of one conversation")
    erase.add_argument("conversation_id", help="the Rasa conversation id (sender id)")
    erase.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    args = parser.parse_args(argv)

    from sqlalchemy.exc import SQLAlchemyError

    from assistance import retention
    from assistance.bootstrap import bootstrap
    from assistance.privacy import install_log_filter
    from assistance.settings import get_settings

    install_log_filter()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    log = logging.getLogger("privacy")
    try:
        core = bootstrap(get_settings())
        if args.command == "purge":
            removed = retention.purge(core, dry_run=args.dry_run)
            heading = "Would delete (dry run):" if args.dry_run else "Deleted, older than their retention:"
            print(heading)
            print(report(removed.as_dict(), core.settings.retention))
            if not args.dry_run:
                log.info("retention purge: %s rows deleted %s", removed.total, removed.as_dict())
        else:
            removed = retention.erase(core, args.conversation_id, dry_run=args.dry_run)
            print("Would delete (dry run):" if args.dry_run else "Deleted, for this conversation:")
            print(report(removed.as_dict()))
            if not args.dry_run:
                log.info("conversation erased (command line): %s rows deleted %s",
                         removed.total, removed.as_dict())
    except (SQLAlchemyError, retention.NoTrackerDatabase, ValueError) as error:
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
