"""REST and socket.io channels that tell the user when the action server is down.

The REST channel also answers a malformed request with a 400 and a French reason
(`{"error": code, "message": ...}`, as the advisor desk's API does) instead of Sanic's English
error, a 500, or a silent reply into a shared "default" conversation when `sender` is missing.

(The socket.io channel also joins each socket to its conversation's room, which Rasa 3.6 fails to
do with the python-socketio release it installs.)

When the action server is unreachable, Rasa logs the failure, keeps the user's message in the
tracker, and answers nothing. These channels keep Rasa's behaviour and URLs
(/webhooks/rest/webhook, /socket.io) and add one French message (`utter_erreur_technique` from the
domain) so that the user knows their message is kept and can try again. The action server's
health is only asked after a turn that sent nothing (a normal turn always answers, but for the
silent relay of a live chat), never on every turn.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

import aiohttp
from rasa.core.channels import rest, socketio
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from sanic import Blueprint, response
from sanic.request import Request

logger = logging.getLogger(__name__)
Handler = Callable[[UserMessage], Awaitable[Any]]

# What a REST caller reads when its request cannot be a user message.
REQUEST_ERRORS = {
    "json_invalide": 'Le corps de la requête doit être un objet JSON : {"sender": "…", "message": "…"}.',
    "sender_requis": "Le champ « sender » (identifiant de la conversation) doit être une chaîne non vide.",
    "message_invalide": "Le champ « message » doit être une chaîne de caractères (elle peut être vide).",
    "metadata_invalide": "Le champ « metadata », s'il est présent, doit être un objet JSON.",
}


def webhook_request_error(body: bytes) -> str | None:
    """The REQUEST_ERRORS code that a REST webhook body deserves, or None when it is usable."""
    try:
        payload = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return "json_invalide"
    if not isinstance(payload, dict):
        return "json_invalide"
    sender = payload.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return "sender_requis"
    if not isinstance(payload.get("message"), str):
        return "message_invalide"
    if payload.get("metadata") is not None and not isinstance(payload["metadata"], dict):
        return "metadata_invalide"
    return None


@lru_cache(maxsize=1)
def technical_error_text() -> str:
    domain = Domain.load(os.environ.get("DOMAIN_PATH", "domain"))
    return domain.responses["utter_erreur_technique"][0]["text"]


async def action_server_alive() -> bool:
    url = os.environ.get("ACTION_ENDPOINT_URL", "")
    if not url:
        return True
    health = url.rsplit("/", 1)[0] + "/health"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            async with session.get(health) as response:
                return response.status == 200
    except (aiohttp.ClientError, OSError, TimeoutError):
        return False


class SocketIOOutput(socketio.SocketIOOutput):
    """Rasa's socket.io output, counting what it sends in a turn."""

    def __init__(self, sio: Any, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)


def _said_something(output: Any) -> bool:
    if isinstance(output, CollectingOutputChannel):
        return bool(output.messages)
    return getattr(output, "sent", 0) > 0


def resilient(on_new_message: Handler) -> Handler:
    async def handler(message: UserMessage) -> None:
        await on_new_message(message)
        output = message.output_channel
        if _said_something(output):
            return
        if not await action_server_alive():
            logger.error("action server unreachable; told the user of %s", message.sender_id)
            await output.send_text_message(message.sender_id, technical_error_text())

    return handler


class RestInput(rest.RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        blueprint = super().blueprint(resilient(on_new_message))

        @blueprint.middleware("request")
        async def refuse_malformed(request: Request) -> response.HTTPResponse | None:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            code = webhook_request_error(request.body)
            if code is None:
                return None
            logger.info("REST webhook request refused: %s", code)
            return response.json({"error": code, "message": REQUEST_ERRORS[code]}, status=400)

        return blueprint


class SocketIOInput(socketio.SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handle = resilient(on_new_message)
        blueprint = super().blueprint(handle)
        sio = self.sio

        # Rasa 3.6 calls AsyncServer.enter_room without await; since python-socketio 5.10 it is a
        # coroutine, so the socket never joined its conversation's room and answers were lost.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            data = data if isinstance(data, dict) else {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, data["session_id"], namespace=self.namespace)
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)

        # Rasa's own handler, with an output that counts what the turn sent (see `resilient`).
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: dict | None) -> None:
            data = data if isinstance(data, dict) else {}
            if self.session_persistence:
                if not data.get("session_id"):
                    logger.warning("socket.io message without a session_id: ignored")
                    return
                sender_id = data["session_id"]
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            output = SocketIOOutput(sio, self.bot_message_evt)
            await handle(
                UserMessage(data.get("message", ""), output, sender_id, input_channel=self.name(),
                            metadata=metadata)
            )

        return blueprint
