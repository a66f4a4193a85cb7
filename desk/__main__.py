"""Run the advisor desk: `python -m desk` (settings in desk/settings.py)."""

from __future__ import annotations

import logging

from aiohttp import web

from desk.app import create_app
from desk.settings import get_desk_settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_desk_settings()
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        print=lambda _: logging.info("advisor desk on http://%s:%s", settings.host, settings.port),
        access_log=None,
    )


if __name__ == "__main__":
    main()
