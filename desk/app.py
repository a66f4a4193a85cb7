"""The desk's web app: its factory, the pages, the sweeper (overdue handoffs, missed wake-ups).

    desk/auth.py      sessions, login, the bearer token, security headers
    desk/roles.py     advisors (conseiller) and trainers (formateur): who opens what
    desk/api.py       the JSON API under /api (desk/openapi.yaml)
    desk/training.py  the « Formation » space: page and API under /api/formation
    desk/errors.py    error codes → HTTP status and French text
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from assistance.bootstrap import Core, bootstrap
from assistance.settings import Settings, get_settings
from desk import api, auth, live, roles, training
from desk.auth import Handler
from desk.context import CORE, RASA, background
from desk.errors import error
from desk.rasa_client import RasaClient

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
STATIC_FILES = {"desk.js", "desk.css"}


async def desk_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "desk.html", headers={"Content-Type": "text/html; charset=utf-8"})


async def static_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in STATIC_FILES:
        raise web.HTTPNotFound()
    return web.FileResponse(STATIC / name)


async def openapi(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(HERE / "openapi.yaml", headers={"Content-Type": "application/yaml"})


@web.middleware
async def database_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except SQLAlchemyError:
        logger.exception("database error on %s", request.path)
        return error("base_indisponible")


async def _sweep(app: web.Application) -> None:
    interval = app[CORE].settings.sweep_seconds
    while True:
        try:
            await api.expire_overdue(app)
            await app[RASA].retry_missed()
        except Exception:  # noqa: BLE001 (keep sweeping whatever one round met)
            logger.exception("sweep of overdue handoffs failed")
        await asyncio.sleep(interval)


async def _close(app: web.Application) -> None:
    await app[RASA].close()
    app[CORE].close_workbench()


def create_app(
    settings: Settings | None = None, *, core: Core | None = None, sweep: bool = True
) -> web.Application:
    core = core or bootstrap(settings or get_settings())
    settings = core.settings
    app = web.Application(
        middlewares=[
            auth.security_middleware, roles.roles_middleware, database_errors, training.training_errors,
        ],
        client_max_size=64 * 1024,
    )
    app[CORE] = core
    app[RASA] = RasaClient(settings.rasa_url, settings.rasa_jwt_secret, settings.desk_rasa_timeout)
    auth.setup(app, settings)
    training.setup(app)  # before /static/{name}: its own /static/formation.* come first
    app.router.add_get("/", desk_page)
    app.router.add_get("/static/{name}", static_file)
    app.router.add_get("/api/openapi.yaml", openapi)
    api.setup(app)
    live.setup(app, watch=sweep)
    if sweep:
        app.cleanup_ctx.append(background(_sweep))
    app.on_cleanup.append(_close)
    return app
