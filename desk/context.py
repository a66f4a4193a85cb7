"""What every part of the desk app reaches through the application: the core and Rasa, and the
way its background loops run."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from assistance.bootstrap import Core
from desk.rasa_client import RasaClient

CORE = web.AppKey("core", Core)
RASA = web.AppKey("rasa", RasaClient)


CleanupContext = Callable[[web.Application], AsyncIterator[None]]


def background(loop: Callable[[web.Application], Awaitable[None]]) -> CleanupContext:
    """An aiohttp cleanup context running `loop(app)` while the app runs, cancelled at its end."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(loop(app))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context
