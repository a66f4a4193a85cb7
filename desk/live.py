"""The advisors' pages, kept up to date without polling: server-sent events at /api/evenements.

Each desk process runs one watcher: with REDIS_URL it listens to the events every process
publishes (assistance/notify.py: the action server for users, the desks for advisors), so
several desk processes can serve advisors; without Redis it reads the fingerprint of the handoff
tables once a second. Either way each page gets `{"kind": "handoff" | "message" | "changed"}`
and fetches what it shows; nothing of the conversations travels in the events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from aiohttp import web

from assistance.notify import CHANNEL, fingerprint
from desk.context import CORE, background

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15.0  # keeps proxies from closing an idle stream
WATCH_SECONDS = 1.0


class Live:
    """The pages listening in this process, and what they are told."""

    def __init__(self) -> None:
        self.pages: set[asyncio.Queue[dict[str, Any]]] = set()

    def tell(self, event: dict[str, Any]) -> None:
        for page in list(self.pages):
            with contextlib.suppress(asyncio.QueueFull):
                page.put_nowait(event)


LIVE = web.AppKey("live", Live)


async def _listen_redis(app: web.Application, url: str) -> None:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(url)
    async with client.pubsub() as pubsub:
        await pubsub.subscribe(CHANNEL)
        async for message in pubsub.listen():
            if message.get("type") == "message":
                with contextlib.suppress(ValueError, TypeError):
                    app[LIVE].tell(json.loads(message["data"]))


async def _watch_tables(app: web.Application) -> None:
    db = app[CORE].db
    last = await asyncio.to_thread(fingerprint, db)
    while True:
        await asyncio.sleep(WATCH_SECONDS)
        current = await asyncio.to_thread(fingerprint, db)
        if current != last:
            last = current
            app[LIVE].tell({"kind": "changed"})


async def _watch(app: web.Application) -> None:
    url = app[CORE].settings.redis_url
    while True:
        try:
            await (_listen_redis(app, url) if url else _watch_tables(app))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 (Redis or the database away: try again shortly)
            logger.exception("desk live events interrupted")
            await asyncio.sleep(2)


def changed(request: web.Request, kind: str, handoff_id: int | None) -> None:
    """An advisor changed a handoff: this process's pages at once, the others through Redis."""
    request.app[LIVE].tell({"kind": kind, "handoff_id": handoff_id})
    request.app[CORE].events.publish(kind, handoff_id)


async def stream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no",
    })
    await response.prepare(request)
    page: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=100)
    request.app[LIVE].pages.add(page)
    try:
        await response.write(b"retry: 3000\n\n")
        while True:
            try:
                event = await asyncio.wait_for(page.get(), HEARTBEAT_SECONDS)
                await response.write(f"data: {json.dumps(event)}\n\n".encode())
            except asyncio.TimeoutError:
                await response.write(b": ping\n\n")
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        request.app[LIVE].pages.discard(page)
    return response


def setup(app: web.Application, *, watch: bool = True) -> None:
    app[LIVE] = Live()
    app.router.add_get("/api/evenements", stream)
    if watch:
        app.cleanup_ctx.append(background(_watch))
