"""The desk's only way to Rasa: its HTTP API, with a short-lived JWT in the Authorization header
(added in one place, `_headers`).

After a change on a handoff (taken, advisor message, closed, given up), the desk triggers the
intent EXTERNAL_evenement_conseiller on the user's conversation; the action server then shows the
user what changed. `output_channel=latest` sends it to the user's own channel (socket.io: in real
time). If Rasa is unreachable or too busy nothing is lost: the change is in the database, the
desk's sweeper wakes the conversation up again (a few times, `retry_missed`), and in any case it
reaches the user with their next message or their widget's next connection. The trainers'
workbench reads the running model (`/status`) and activates another one (`PUT /model`).
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

import aiohttp

from assistance.names import WAKE_UP_INTENT
from assistance.secrets import rasa_jwt

logger = logging.getLogger(__name__)
MODEL_LOAD_TIMEOUT = aiohttp.ClientTimeout(total=600)
UNREACHABLE = (aiohttp.ClientError, asyncio.TimeoutError, OSError)
WAKE_UP_TRIES = 5  # a wake-up Rasa did not take is tried again this many times by the sweeper


class RasaError(Exception):
    """Rasa refused a request of the workbench, or could not be reached."""


class RasaClient:
    def __init__(self, base_url: str, jwt_secret: str | None, timeout: float = 30) -> None:
        self._base_url = base_url.rstrip("/")
        self._jwt_secret = jwt_secret
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._missed: dict[str, int] = {}  # conversation → wake-ups Rasa did not take

    def _headers(self) -> dict[str, str]:
        if not self._jwt_secret:
            return {}
        return {"Authorization": f"Bearer {rasa_jwt(self._jwt_secret, ttl_seconds=60)}"}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def wake_up(self, conversation_id: str) -> bool:
        """Tell the conversation something changed; False if Rasa did not take it (the sweeper
        will try again)."""
        if await self._wake_up(conversation_id):
            self._missed.pop(conversation_id, None)
            return True
        tries = self._missed.get(conversation_id, 0) + 1
        if tries <= WAKE_UP_TRIES:
            self._missed[conversation_id] = tries
        else:
            self._missed.pop(conversation_id, None)
            logger.warning("gave up waking %s: the user gets the change with their next message",
                           conversation_id)
        return False

    async def retry_missed(self) -> int:
        """Wake up again the conversations Rasa did not take; how many it took now."""
        missed = list(self._missed)
        results = await asyncio.gather(*(self.wake_up(c) for c in missed))
        return sum(results)

    async def _wake_up(self, conversation_id: str) -> bool:
        url = f"{self._base_url}/conversations/{quote(conversation_id, safe='')}/trigger_intent"
        try:
            async with self._client().post(
                url, params={"output_channel": "latest"}, json={"name": WAKE_UP_INTENT},
                headers=self._headers(),
            ) as response:
                if response.status != 200:
                    logger.warning(
                        "Rasa refused the wake-up of %s: %s %s",
                        conversation_id, response.status, (await response.text())[:300],
                    )
                    return False
                return True
        except UNREACHABLE as error:
            logger.warning("Rasa unreachable for %s: %s", conversation_id, error)
            return False

    async def status(self) -> dict | None:
        """Rasa's /status (the running model's file name as `model_file`), None if unreachable."""
        try:
            async with self._client().get(f"{self._base_url}/status", headers=self._headers()) as response:
                if response.status != 200:
                    logger.warning("Rasa refused /status: %s", response.status)
                    return None
                return await response.json()
        except (*UNREACHABLE, ValueError) as error:
            logger.warning("Rasa unreachable for /status: %s", error)
            return None

    async def replace_model(self, model_file: str) -> None:
        """Load `model_file` (a path on Rasa's machine) in place of the running model."""
        try:
            async with self._client().put(
                f"{self._base_url}/model", headers=self._headers(), json={"model_file": model_file},
                timeout=MODEL_LOAD_TIMEOUT,
            ) as response:
                if response.status != 204:
                    detail = (await response.text())[:300]
                    logger.warning("Rasa refused the model %s: %s %s", model_file, response.status, detail)
                    raise RasaError(f"{response.status} {detail}")
        except UNREACHABLE as error:
            raise RasaError(str(error) or type(error).__name__) from error
