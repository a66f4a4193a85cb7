"""Run the advisor desk: `python -m desk` (settings in assistance/settings.py)."""

from __future__ import annotations

import logging

from aiohttp import web

from assistance.privacy import install_log_filter
from assistance.settings import get_settings
from desk.app import create_app


def main() -> None:
    install_log_filter()  # no e-mail, phone number, SIRET or message text in the desk's log
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    web.run_app(
        create_app(settings),
        host=settings.desk_host,
        port=settings.desk_port,
        print=lambda _: logging.info("advisor desk on http://%s:%s", settings.desk_host, settings.desk_port),
        access_log=None,
    )


if __name__ == "__main__":
    main()
