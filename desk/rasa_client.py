"""The desk's only way to Rasa: its HTTP API, with a short-lived JWT in the Authorization header.

After a change on a handoff (taken, advisor message, closed, given up), the desk triggers the
intent EXTERNAL_evenement_conseiller on the user's conversation; the action server then shows the
user what changed. `output_channel=latest` sends it to the user's own channel (socket.io: in real
time). If Rasa is unreachable nothing is lost: the change is in the database and reaches the user
with their next message.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

import aiohttp

from assistance.names import WAKE_UP_INTENT
from assistance.secrets import rasa_jwt

logger = logging.getLogger(__name__)


class RasaClient:
    def __init__(self, base_url: str, jwt_secret: str | None, timeout: float = 30) -> None:
        self._base_url = base_url.rstrip("/")
        self._jwt_secret = jwt_secret
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _headers(self) -> dict[str, str]:
        if not self._jwt_secret:
            return {}
        return {"Authorization": f"Bearer {rasa_jwt(self._jwt_secret, ttl_seconds=60)}"}

    async def wake_up(self, conversation_id: str) -> bool:
        """Tell the conversation something changed; False if Rasa did not take it."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        url = f"{self._base_url}/conversations/{quote(conversation_id, safe='')}/trigger_intent"
        params = {"output_channel": "latest"}
        try:
            async with self._session.post(
                url, params=params, json={"name": WAKE_UP_INTENT}, headers=self._headers()
            ) as response:
                if response.status != 200:
                    logger.warning(
                        "Rasa refused the wake-up of %s: %s %s",
                        conversation_id, response.status, (await response.text())[:300],
                    )
                    return False
                return True
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            logger.warning("Rasa unreachable for %s: %s", conversation_id, error)
            return False
