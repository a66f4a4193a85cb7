#!/usr/bin/env python
"""Read back a solicitation draft prepared with the assistant.

    .venv/bin/python scripts/sollicitation.py show SOL-2026-000123          text ready to paste
    .venv/bin/python scripts/sollicitation.py show SOL-2026-000123 --json   every stored field

The database is the assistant's (DATABASE_URL, default var/app.db; see scripts/env.sh).
Exit status: 0 found, 1 no draft with this reference, 2 usage or database error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
# This checkout's core, whichever checkout the virtual environment's editable install points to.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Read back a solicitation draft.")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print a draft by its reference")
    show.add_argument("reference", help="e.g. SOL-2026-000123 (any case)")
    show.add_argument("--json", action="store_true", help="every stored field, as JSON")
    show.add_argument("--database-url", help="overrides DATABASE_URL")
    args = parser.parse_args(argv)

    from dataclasses import replace

    from sqlalchemy.exc import SQLAlchemyError

    from assistance.bootstrap import bootstrap
    from assistance.privacy import install_log_filter
    from assistance.settings import get_settings
    from assistance.solicitations.repository import get_draft
    from assistance.solicitations.text import draft_text

    install_log_filter()
    settings = get_settings()
    if args.database_url:
        settings = replace(settings, database_url=args.database_url)
    core = bootstrap(settings)
    try:
        data = get_draft(core.db, args.reference)
    except SQLAlchemyError as error:
        print(f"database error: {error}", file=sys.stderr)
        return 2
    if data is None:
        print(f"no draft with reference {args.reference}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(draft_text(data, core.catalogue()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
