"""REST and socket.io channels: one check of what clients send, and the user told when the
action server is down.

Every message goes through assistance/inbound.py before Rasa sees it: a message too long, with
characters no database can store, a `sender` that is not a plain identifier, or metadata too big
or too deep is refused as a whole with a French reason (REST: a 400 `{"error": code, "message":
...}`, the shape of the advisor desk's API; socket.io: a bot message), and nothing is stored.
Keys only servers may set (`is_external`, `_…`) are removed from the client's metadata, and the
channel adds `_client`, a keyed hash of the client's address (assistance/handoffs limits how many
handoffs one client opens with it). A malformed REST request gets the same kind of 400 instead of
Sanic's English error, a 500, or a silent reply into a shared "default" conversation.

socket.io session ids are issued by the server and signed (HMAC with RASA_JWT_SECRET): a client
can resume its own conversation, not choose another one's id, and a socket may only speak in the
session it was confirmed.

Several Rasa replicas: with REDIS_URL, the socket.io server gets python-socketio's
AsyncRedisManager, so whichever replica runs a turn (a desk wake-up lands on any of them) reaches
the socket another replica holds. An advisor message is emitted with an acknowledgement request:
it counts as delivered (assistance.handoffs.mark_delivered) only when the widget acknowledges
it; the widget asks for what it missed (`pending_request`) on every (re)connection, and the
message ids keep it from showing one twice.

The REST channel also sends a text that has buttons as one message per paragraph, the buttons on
the last one, as the socket.io channel does (Rasa's REST collector keeps such a text whole, and
every FAQ answer has the 👍/👎 buttons), and gives a `text` to the live chat's custom payloads.

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

import asyncio
import hashlib
import hmac
import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from functools import lru_cache
from ipaddress import ip_address
from typing import Any

import aiohttp
from rasa.core.channels import rest, socketio
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from sanic import Blueprint, response
from sanic.request import Request

from assistance import handoffs, inbound
from assistance.bootstrap import get_core
from assistance.settings import get_settings
from nlg.typography import french_typography

logger = logging.getLogger(__name__)
Handler = Callable[[UserMessage], Awaitable[Any]]
MAX_PACKET_BYTES = 256 * 1024  # a socket.io packet; servers/rasa_server.py bounds the rest

# What a REST caller reads when its request cannot be a user message.
REQUEST_ERRORS = {
    "json_invalide": 'Le corps de la requête doit être un objet JSON : {"sender": "…", "message": "…"}.',
    "sender_requis": "Le champ « sender » (identifiant de la conversation) doit être une chaîne non vide.",
    "message_invalide": "Le champ « message » doit être une chaîne de caractères (elle peut être vide).",
    "metadata_invalide": "Le champ « metadata », s'il est présent, doit être un objet JSON.",
    "message_trop_long": (
        f"Votre message est trop long : écrivez-le en moins de {inbound.MAX_TEXT_LENGTH} caractères "
        "(vous pouvez l'envoyer en plusieurs fois)."
    ),
    "caracteres_invalides": (
        "Votre message contient des caractères qui ne peuvent pas être enregistrés : retirez-les, "
        "puis renvoyez-le."
    ),
    "sender_invalide": (
        f"Le champ « sender » doit être un identifiant d'au plus {inbound.MAX_SENDER_LENGTH} "
        "caractères : lettres, chiffres, « . », « _ », « - », « : » ou « @ »."
    ),
    "requete_trop_grande": (
        f"Votre message est trop long : écrivez-le en moins de {inbound.MAX_TEXT_LENGTH} caractères "
        "(vous pouvez l'envoyer en plusieurs fois)."
    ),
    "commande_reservee": "Cette commande est réservée au service : écrivez votre message en toutes lettres.",
    "metadata_trop_grande": (
        f"Le champ « metadata » est trop volumineux ou trop imbriqué : au plus "
        f"{inbound.MAX_METADATA_BYTES // 1024} Ko et {inbound.MAX_METADATA_DEPTH} niveaux."
    ),
}


def webhook_payload(body: bytes) -> dict[str, Any] | str:
    """The REST webhook body as Rasa may read it, or the REQUEST_ERRORS code it deserves."""
    try:
        payload = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return "json_invalide"
    except RecursionError:  # thousands of nested brackets
        return "metadata_trop_grande"
    if not isinstance(payload, dict):
        return "json_invalide"
    sender = payload.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return "sender_requis"
    if not isinstance(payload.get("message"), str):
        return "message_invalide"
    if payload.get("metadata") is not None and not isinstance(payload["metadata"], dict):
        return "metadata_invalide"
    try:
        checked = inbound.check(sender, payload["message"], payload.get("metadata"))
    except inbound.Refused as refused:
        return refused.code
    return {**payload, "message": checked.text, "metadata": checked.metadata}


def refusal(code: str) -> dict[str, str]:
    return {"error": code, "message": french_typography(REQUEST_ERRORS[code])}


def client_key(address: str | None) -> str | None:
    """A keyed hash of the client's address: enough to count its requests, not to find it."""
    if not address:
        return None
    secret = (get_settings().rasa_jwt_secret or "claudia").encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:16]


def _loopback(address: str | None) -> bool:
    try:
        return ip_address(address or "").is_loopback
    except ValueError:
        return False


def client_address(peer: str | None, real_ip: str | None) -> str | None:
    """The client's address: nginx on this host says it in X-Real-IP (deploy/nginx/)."""
    return real_ip if real_ip and _loopback(peer) else peer


@lru_cache(maxsize=2)
def technical_error_text(response: str = "utter_erreur_technique") -> str:
    """`utter_erreur_technique`: the message is stored, nothing answered it (the action server is
    down); `utter_erreur_enregistrement`: the turn failed before it was saved, the message is not."""
    domain = Domain.load(os.environ.get("DOMAIN_PATH", "domain"))
    # Sent by the channel, not generated by the NLG: typeset here like every other response.
    return french_typography(domain.responses[response][0]["text"])


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


async def _delivered(message_ids: list[int]) -> None:
    """Record advisor messages as delivered. Should the database refuse, they stay pending and
    go out again: at the widget's next connection, or with the next REST turn."""
    try:
        await asyncio.to_thread(handoffs.mark_delivered, get_core().db, message_ids)
    except Exception:  # noqa: BLE001 (sent again rather than lost)
        logger.exception("delivery of advisor messages %s not recorded; they go out again", message_ids)


async def emit_advisor_message(sio: Any, event: str, room: str, payload: dict, namespace: str | None) -> None:
    """An advisor message, delivered when the user's client acknowledges it (from any replica)."""
    message_id = handoffs.acknowledged_message_id(payload)

    def acknowledged(*_: Any) -> None:
        asyncio.ensure_future(_delivered([message_id]))

    await sio.emit(event, payload["data"], room=room, namespace=namespace,
                   callback=acknowledged if message_id is not None else None)


class SocketIOOutput(socketio.SocketIOOutput):
    """Rasa's socket.io output, counting what it sends in a turn; advisor messages are sent with
    an acknowledgement request.

    `hold=True` (a turn a user's socket started) keeps the turn's messages until `release()`,
    called once the turn is saved: Rasa emits while the turn runs and saves the tracker after,
    so a replica dying in between showed the user an answer that no tracker holds.
    """

    def __init__(self, sio: Any, bot_message_evt: str, namespace: str | None = None,
                 hold: bool = False) -> None:
        super().__init__(sio, bot_message_evt)
        self.namespace = namespace
        self.sent = 0
        self._held: list[Callable[[], Awaitable[None]]] | None = [] if hold else None

    async def _later_or_now(self, send: Callable[[], Awaitable[None]]) -> None:
        self.sent += 1
        if self._held is None:
            await send()
        else:
            self._held.append(send)

    async def release(self) -> None:
        """Emit what the turn held, in order; from now on messages go out at once."""
        held, self._held = self._held or [], None
        for send in held:
            await send()

    def drop(self) -> None:
        """Forget what the turn held (it was not saved); from now on messages go out at once."""
        self._held = None

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await self._later_or_now(lambda: socketio.SocketIOOutput._send_message(self, socket_id, response))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        if handoffs.acknowledged_message_id(json_message) is None:
            await super().send_custom_json(recipient_id, json_message, **kwargs)
            return
        room = json_message.get("room", recipient_id)
        await self._later_or_now(lambda: emit_advisor_message(self.sio, self.bot_message_evt, room,
                                                              json_message, self.namespace))


async def held_turn(handle: Handler, message: UserMessage, output: SocketIOOutput) -> None:
    """A turn a user's socket started: its answer is seen once the turn is saved. A turn that
    fails before (the tracker store refusing the write, say) shows only the technical-error
    message that says the message was not taken into account, so the user sends it again rather
    than read an answer no tracker holds."""
    try:
        await handle(message)
    except Exception as error:  # noqa: BLE001 (the user is told; the socket stays usable)
        logger.error("socket.io turn of %s failed before it was saved (%s): its answer is not shown",
                     message.sender_id, type(error).__name__)
        output.drop()
        await output.send_text_message(message.sender_id, technical_error_text("utter_erreur_enregistrement"))
        return
    await output.release()


def _said_something(output: Any) -> bool:
    if isinstance(output, CollectingOutputChannel):
        return bool(output.messages)
    return getattr(output, "sent", 0) > 0


async def confirm_advisor_messages(messages: list[dict[str, Any]]) -> None:
    """A REST answer's advisor messages are delivered: its turn is saved, the response leaves now.
    Should this fail, they go out again with the next REST turn (take_unsent(again=True))."""
    ids = [i for m in messages if (i := handoffs.acknowledged_message_id(m.get("custom"))) is not None]
    if ids:
        await _delivered(ids)


def resilient(on_new_message: Handler) -> Handler:
    async def handler(message: UserMessage) -> None:
        await on_new_message(message)
        output = message.output_channel
        if isinstance(output, CollectingOutputChannel):
            await confirm_advisor_messages(output.messages)
        if _said_something(output):
            return
        if not await action_server_alive():
            logger.error("action server unreachable; told the user of %s", message.sender_id)
            await output.send_text_message(message.sender_id, technical_error_text())

    return handler


class _PartsBeforeButtons:
    """A text with buttons becomes one message per paragraph (split at blank lines, as Rasa's
    channels split a text without buttons), the buttons on the last one. A custom payload
    carrying a text for the user (the live chat's notices and advisor messages) also carries it
    as the message's `text`: a plain REST client shows every message a user must read."""

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        data = json_message.get("data") if isinstance(json_message, dict) else None
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text:
            await super().send_custom_json(recipient_id, json_message, **kwargs)
            return
        await self._persist_message(self._message(recipient_id, text=text, custom=json_message))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        *first, last = text.strip().split("\n\n") if text else [text]
        for part in first:
            await self.send_text_message(recipient_id, part)
        await super().send_text_with_buttons(recipient_id, last, buttons, **kwargs)


class RestOutput(_PartsBeforeButtons, CollectingOutputChannel):
    def __init__(self, messages: list[dict[str, Any]]) -> None:
        super().__init__()
        self.messages = messages  # the list Rasa's REST route returns


class RestQueueOutput(_PartsBeforeButtons, rest.QueueOutputChannel):
    """The same for `?stream=true`, whose messages go to a queue."""


def parts_before_buttons(on_new_message: Handler) -> Handler:
    """Rasa's REST route creates its collector itself: put ours in its place, on the same list."""

    async def handler(message: UserMessage) -> None:
        output = message.output_channel
        if type(output) is CollectingOutputChannel:
            message.output_channel = RestOutput(output.messages)
        elif type(output) is rest.QueueOutputChannel:
            message.output_channel = RestQueueOutput(output.messages)
        await on_new_message(message)

    return handler


class RestInput(rest.RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        blueprint = super().blueprint(parts_before_buttons(resilient(on_new_message)))

        @blueprint.middleware("request")
        async def check_inbound(request: Request) -> response.HTTPResponse | None:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            payload = webhook_payload(request.body)
            if isinstance(payload, str):
                logger.info("REST webhook request refused: %s", payload)
                return response.json(refusal(payload), status=400)
            address = client_address(request.ip, request.headers.get("x-real-ip"))
            payload["metadata"]["_client"] = client_key(address)
            request.parsed_json = payload  # what Rasa's handler reads as `request.json`
            return None

        return blueprint


def _session_mac(session_id: str) -> str:
    secret = (get_settings().rasa_jwt_secret or "").encode()
    return hmac.new(secret, f"socketio:{session_id}".encode(), hashlib.sha256).hexdigest()[:20]


def new_session_id() -> str:
    token = uuid.uuid4().hex
    return f"{token}.{_session_mac(token)}"


def valid_session_id(value: Any) -> bool:
    """A session id this server issued (any replica sharing RASA_JWT_SECRET)."""
    if not isinstance(value, str) or value.count(".") != 1:
        return False
    token, mac = value.split(".")
    return len(token) == 32 and hmac.compare_digest(mac, _session_mac(token))


class SocketIOInput(socketio.SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> SocketIOOutput | None:
        """The output of turns that no socket started (the desk's wake-ups, reminders)."""
        if self.sio is None:
            return super().get_output_channel()
        return SocketIOOutput(self.sio, self.bot_message_evt, self.namespace)

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handle = resilient(on_new_message)
        blueprint = super().blueprint(handle)
        sio = self.sio
        namespace = self.namespace
        sio.eio.max_http_buffer_size = MAX_PACKET_BYTES  # socket.io over long-polling
        redis_url = get_settings().redis_url
        if redis_url:  # several replicas: emit to sockets that other processes hold
            import socketio as python_socketio

            sio.manager = python_socketio.AsyncRedisManager(redis_url, channel="claudia-socketio")
            sio.manager.set_server(sio)

            @blueprint.listener("after_server_start")
            async def listen_to_other_replicas(_app: Any, _loop: Any) -> None:
                # python-socketio starts listening at the first socket's connection; a replica
                # that only emits (a desk wake-up) must hear its acknowledgements from the start.
                if not sio.manager_initialized:
                    sio.manager_initialized = True
                    sio.manager.initialize()

        async def refuse(sid: str, code: str) -> None:
            logger.info("socket.io message refused: %s", code)
            await sio.emit(self.bot_message_evt, {"text": refusal(code)["message"]}, room=sid,
                           namespace=namespace)

        # Rasa 3.6 calls AsyncServer.enter_room without await; since python-socketio 5.10 it is a
        # coroutine, so the socket never joined its conversation's room and answers were lost.
        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            data = data if isinstance(data, dict) else {}
            asked = data.get("session_id")
            session_id = asked if valid_session_id(asked) else new_session_id()
            await sio.save_session(sid, {"session_id": session_id}, namespace=namespace)
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        # What the widget missed (socket down, Rasa restarted): every advisor message of the
        # conversation its client never acknowledged, again, each with an acknowledgement request.
        @sio.on("pending_request", namespace=namespace)
        async def pending_request(sid: str, _data: Any = None) -> None:
            session = await sio.get_session(sid, namespace=namespace)
            session_id = session.get("session_id")
            if not session_id:
                return
            pending = await asyncio.to_thread(handoffs.undelivered, get_core().db, session_id)
            for message, nom in pending:
                payload = handoffs.advisor_message_payload(message.text, nom, message.id)
                await emit_advisor_message(sio, self.bot_message_evt, sid, payload, namespace)

        # Rasa's own handler, with the inbound check, the socket's own session only, and an
        # output that counts what the turn sent (see `resilient`).
        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: dict | None) -> None:
            data = data if isinstance(data, dict) else {}
            session = await sio.get_session(sid, namespace=namespace)
            sender_id = session.get("session_id") if self.session_persistence else sid
            if not sender_id or data.get("session_id") not in (None, sender_id):
                logger.warning("socket.io message outside the socket's session: ignored")
                return
            metadata = data.get(self.metadata_key) or {}
            text = data.get("message", "")
            if not isinstance(text, str):
                await refuse(sid, "message_invalide")
                return
            try:
                if isinstance(metadata, str):
                    metadata = json.loads(metadata)
                if not isinstance(metadata, dict):
                    raise inbound.Refused("metadata_invalide")
                checked = inbound.check(sender_id, text, metadata)
            except inbound.Refused as refused:
                await refuse(sid, refused.code)
                return
            except ValueError:
                await refuse(sid, "metadata_invalide")
                return
            except RecursionError:
                await refuse(sid, "metadata_trop_grande")
                return
            environ = sio.get_environ(sid, namespace=namespace) or {}
            address = client_address(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_REAL_IP"))
            output = SocketIOOutput(sio, self.bot_message_evt, namespace, hold=True)
            metadata = {**checked.metadata, "_client": client_key(address)}
            message = UserMessage(checked.text, output, sender_id, input_channel=self.name(),
                                  metadata=metadata)
            await held_turn(handle, message, output)

        return blueprint
