"""The desk's only way to Rasa: its HTTP API, with the token.

After a change on a handoff (taken, advisor message, closed, given up), the desk triggers the
intent EXTERNAL_evenement_conseiller on the user's conversation; the action server then shows the
user what changed. `output_channel=latest` sends it to the user's own channel (socket.io: in real
time). If Rasa is unreachable nothing is lost: the change is in the database and reaches the user
with their next message.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import aiohttp

from assistance.names import WAKE_UP_INTENT

logger = logging.getLogger(__name__)


class RasaClient:
    def __init__(self, base_url: str, token: str | None, timeout: float = 30) -> None:
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def wake_up(self, conversation_id: str) -> bool:
        """Tell the conversation something changed; False if Rasa did not take it."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        url = f"{self._base_url}/conversations/{quote(conversation_id, safe='')}/trigger_intent"
        params = {"output_channel": "latest"}
        if self._token:
            params["token"] = self._token
        try:
            async with self._session.post(url, params=params, json={"name": WAKE_UP_INTENT}) as response:
                if response.status != 200:
                    logger.warning(
                        "Rasa refused the wake-up of %s: %s %s",
                        conversation_id, response.status, (await response.text())[:300],
                    )
                    return False
                return True
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            logger.warning("Rasa unreachable for %s: %s", conversation_id, error)
            return False
