"""The Rasa server (`rasa run`) with its HTTP API behind a JWT and the request size bounded.

The JWT secret comes from RASA_JWT_SECRET (never from the command line, which the process list
shows); clients send `Authorization: Bearer <jwt>` (assistance/secrets.py makes one). Requests
are bounded (MAX_REQUEST_BYTES): a bigger body gets a 413 with a French reason, in the same
shape as the REST channel's other refusals, before it is read. The server listens on
RASA_INTERFACE (127.0.0.1 unless told otherwise).
"""

from __future__ import annotations

import argparse
import logging
from asyncio import AbstractEventLoop

from sanic import Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from assistance.privacy import install_log_filter
from assistance.settings import get_settings

logger = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 256 * 1024  # a message is at most 5,000 characters; metadata a few kB


async def _too_large(request: Request, exception: Exception) -> HTTPResponse:
    from channels.resilient import refusal

    return response.json(refusal("requete_trop_grande"), status=413)


async def _bound_requests(app: Sanic, _loop: AbstractEventLoop) -> None:
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
    app.config.WEBSOCKET_MAX_SIZE = MAX_REQUEST_BYTES  # socket.io over a websocket
    app.error_handler.add(PayloadTooLarge, _too_large)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Claud.IA Rasa server")
    parser.add_argument("--model", default="models/claudia.tar.gz")
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--credentials", default="credentials.yml")
    parser.add_argument("--cors", nargs="*", default=None, help="origins allowed to call the channels")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)

    import rasa.api
    import rasa.utils.tensorflow.environment as tf_environment
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    level = logging.getLevelName(args.log_level)
    configure_logging_and_warnings(level, warn_only_once=True, filter_repeated_logs=True)
    configure_structlog(level)  # as `rasa run` does: no debug lines (with slot values) at INFO
    install_log_filter()  # no message text, e-mail, phone number or SIRET in the log
    tf_environment.setup_tf_environment()
    settings = get_settings()
    if not settings.rasa_jwt_secret:
        logger.warning("RASA_JWT_SECRET is not set: Rasa's HTTP API is open to anyone who reaches it")
    rasa.api.run(
        model=args.model,
        endpoints=args.endpoints,
        credentials=args.credentials,
        port=args.port,
        interface=settings.rasa_interface,
        cors=args.cors,
        enable_api=True,
        jwt_secret=settings.rasa_jwt_secret,
        jwt_method="HS256",
        server_listeners=[(_bound_requests, "before_server_start")],
    )


if __name__ == "__main__":
    main()
