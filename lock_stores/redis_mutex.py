"""A conversation lock that holds between Rasa replicas: redis-py's own `Lock`.

Rasa Open Source's `RedisLockStore` reads, changes and writes back a ticket list, so two
replicas can both believe they hold a conversation (RasaHQ/rasa PR #11256, reverted in #11428).
This store takes a Redis lock instead (`SET NX PX` with a random token; released, and extended,
only by its owner, through Lua scripts), so exactly one replica processes a conversation at a
time, whichever one the load balancer chose.

The lock lives `lock_lifetime` seconds and is extended every third of it while the turn runs:
a slow action call (up to Rasa's 5-minute action timeout) keeps it, and a replica killed in the
middle of a turn frees it within `lock_lifetime`. A replica waiting longer than `wait_seconds`
for a conversation gives up with Rasa's LockError.

    lock_store:
      type: lock_stores.redis_mutex.RedisMutexLockStore
      url: ${REDIS_HOST}
      port: ${REDIS_PORT}
      db: ${REDIS_DB}
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)
KEY_PREFIX = "claudia:lock:"


class RedisMutexLockStore(LockStore):
    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 6379,
        db: int = 1,
        password: str | None = None,
        lock_lifetime: float = 30.0,
        wait_seconds: float = 120.0,
    ) -> None:
        import redis.asyncio

        options: dict[str, Any] = dict(endpoint_config.kwargs) if endpoint_config else {}
        host = (endpoint_config.url if endpoint_config and endpoint_config.url else None) or host
        self.redis = redis.asyncio.Redis(
            host=host, port=int(options.get("port", port)), db=int(options.get("db", db)),
            password=options.get("password", password) or None,
        )
        self.lock_lifetime = float(options.get("lock_lifetime", lock_lifetime))
        self.wait_seconds = float(options.get("wait_seconds", wait_seconds))
        super().__init__()

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = 0, wait_time_in_seconds: float = 0,
    ) -> AsyncIterator[Any]:
        """Hold the conversation for the duration of the block (Rasa's arguments are ignored)."""
        mutex = self.redis.lock(
            KEY_PREFIX + conversation_id, timeout=self.lock_lifetime, sleep=0.02,
            blocking_timeout=self.wait_seconds, thread_local=False,
        )
        if not await mutex.acquire():
            raise LockError(f"conversation lock not acquired within {self.wait_seconds:.0f} s")
        keeper = asyncio.create_task(self._keep(mutex))
        try:
            yield mutex
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            try:
                await mutex.release()
            except Exception:  # noqa: BLE001 (expired meanwhile: another replica may hold it now)
                logger.warning("conversation lock had expired before the end of the turn")

    async def _keep(self, mutex: Any) -> None:
        while True:
            await asyncio.sleep(self.lock_lifetime / 3)
            await mutex.extend(self.lock_lifetime, replace_ttl=True)

    # Rasa's ticket interface, unused: every caller goes through `lock`.
    def get_lock(self, conversation_id: str) -> None:
        return None

    def delete_lock(self, conversation_id: str) -> None:
        return None

    def save_lock(self, lock: Any) -> None:
        return None
