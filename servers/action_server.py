"""The action server (rasa_sdk's Sanic app) behind a bearer token.

Rasa sends `X-Action-Server-Token: $ACTION_SERVER_TOKEN` with every call (`headers` of the
action endpoint in endpoints*.yml); any other caller gets a 401. `/health` stays open for
probes. The server listens on ACTIONS_HOST (127.0.0.1 unless told otherwise).
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk import endpoint
from sanic import Sanic, response
from sanic.request import Request

from assistance.privacy import install_log_filter
from assistance.settings import get_settings

logger = logging.getLogger(__name__)
OPEN_PATHS = {"/health"}
TOKEN_HEADER = "X-Action-Server-Token"


def create_app(token: str | None, action_package: str = "actions") -> Sanic:
    app = endpoint.create_app(action_package, cors_origins=None)
    expected = token.encode() if token else None

    @app.middleware("request")
    async def authenticate(request: Request) -> response.HTTPResponse | None:
        if request.path in OPEN_PATHS or expected is None:
            return None
        provided = (request.headers.get(TOKEN_HEADER) or "").encode()
        if hmac.compare_digest(provided, expected):
            return None
        return response.json({"error": "non_authentifie"}, status=401)

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Claud.IA action server")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_log_filter()  # no message text, e-mail, phone number or SIRET in the log
    settings = get_settings()
    if not settings.action_server_token:
        logger.warning("ACTION_SERVER_TOKEN is not set: the action server accepts any caller")
    app = create_app(settings.action_server_token)
    logger.info("action server on http://%s:%s", settings.actions_host, args.port)
    app.run(settings.actions_host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
