"""The desk's JSON API under /api (desk/openapi.yaml): handoffs, their messages, solicitations,
and the erasure of a conversation.

Handlers are thin: they read the request, call the core (assistance.handoffs, in a thread: the
database is synchronous), wake the user's conversation through Rasa after a change, and answer
JSON. Errors are the codes of desk/errors.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from assistance import audit, handoffs, retention, transcripts
from assistance.bootstrap import Core
from assistance.db import Database
from assistance.handoffs import HandoffError, HandoffView, MessageView
from assistance.solicitations import repository
from assistance.solicitations.text import draft_text
from desk.advisors import Advisor
from desk.auth import acting_advisor, by_api_token, client_key
from desk.context import CORE, RASA
from desk.errors import error
from desk.live import LIVE, changed

logger = logging.getLogger(__name__)

REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")  # a UUID, typically
MAX_CONVERSATION_ID = 255  # Rasa's events.sender_id


# --- JSON ---------------------------------------------------------------------------------------


def message_json(message: MessageView) -> dict[str, Any]:
    return {
        "id": message.id,
        "author": message.author,
        "text": message.text,
        "created_at": message.created_at.isoformat(),
        "delivered": message.delivered,
    }


def handoff_json(handoff: HandoffView, now: datetime | None = None) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "motif": handoff.motif,
        "profil": handoff.profil,
        "context": handoff.context,
        "channel": handoff.channel,
        "status": handoff.status,
        "queue_position": handoff.queue_position,
        "advisor": (
            {"login": handoff.advisor_login, "name": handoff.advisor_name}
            if handoff.advisor_login else None
        ),
        "transcript": handoff.transcript,
        "end_reason": handoff.end_reason,
        "rating": handoff.rating,
        "created_at": handoff.created_at.isoformat(),
        "taken_at": handoff.taken_at.isoformat() if handoff.taken_at else None,
        "ended_at": handoff.ended_at.isoformat() if handoff.ended_at else None,
        "waiting_seconds": handoff.waiting_seconds(now),
    }


def _seconds(delay: Any) -> int | None:
    return int(delay.total_seconds()) if delay is not None else None


# --- Helpers ------------------------------------------------------------------------------------


def _core(request: web.Request) -> Core:
    return request.app[CORE]


def _handoff_id(request: web.Request) -> int:
    try:
        return int(request.match_info["handoff_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def _json_body(request: web.Request) -> dict[str, Any] | web.Response:
    if request.content_type != "application/json":
        return error("json_requis")
    try:
        body = await request.json()
    except ValueError:
        return error("json_invalide")
    return body if isinstance(body, dict) else error("json_invalide")


def _handoff_error(exc: HandoffError) -> web.Response:
    nom = exc.handoff.advisor_display_name if exc.handoff else None
    return error(exc.code, nom=nom or "un autre conseiller")


async def expire_overdue(app: web.Application) -> None:
    """Give up the waiting handoffs nobody took in time, and tell their users."""
    core = app[CORE]
    expired = await asyncio.to_thread(
        handoffs.expire_overdue, core.db, core.schedule(), core.now()
    )
    for handoff in expired:
        app[LIVE].tell({"kind": "handoff", "handoff_id": handoff.id})
        core.events.publish("handoff", handoff.id)
        await app[RASA].wake_up(handoff.conversation_id)


Command = Callable[[Database, int, Advisor], tuple[HandoffView, dict[str, Any]]]


async def _advisor_command(
    request: web.Request, action: str, command: Command, status: int = 200
) -> web.Response:
    """Run an advisor's change on a handoff, audit it, then wake the user's conversation up.

    `command(db, handoff_id, advisor)` runs in a thread and returns the handoff and the JSON.
    Every command is safe to retry: the change is stored before Rasa is woken up, and doing it
    again changes nothing (see assistance.handoffs.commands).
    """
    advisor = acting_advisor(request)
    if advisor is None:
        return error("conseiller_requis")
    db, handoff_id = _core(request).db, _handoff_id(request)
    try:
        handoff, body = await asyncio.to_thread(command, db, handoff_id, advisor)
    except HandoffError as exc:
        return _handoff_error(exc)
    await asyncio.to_thread(
        audit.record, db, action, actor=advisor.login, handoff_id=handoff.id,
        client_key=client_key(request),
    )
    changed(request, "message" if action == audit.MESSAGE else "handoff", handoff.id)
    body["notified"] = await request.app[RASA].wake_up(handoff.conversation_id)
    return web.json_response(body, status=status)


# --- Handlers -----------------------------------------------------------------------------------


async def me(request: web.Request) -> web.Response:
    advisor = acting_advisor(request)
    return web.json_response({
        "login": advisor.login if advisor else None,
        "name": advisor.name if advisor else None,
        "roles": sorted(advisor.roles) if advisor else [],
        "author_labels": transcripts.LABELS,
    })


async def list_handoffs(request: web.Request) -> web.Response:
    wanted = [s for value in request.query.getall("status", []) for s in value.split(",") if s]
    statuses = wanted or list(handoffs.OPEN_STATUSES)
    conversation_id = request.query.get("conversation_id")
    try:
        limit = min(max(int(request.query.get("limit", "200")), 1), 200)
    except ValueError:
        limit = 200
    await expire_overdue(request.app)
    db = _core(request).db

    def read() -> dict[str, Any]:
        found = handoffs.list_handoffs(db, statuses, conversation_id=conversation_id, limit=limit)
        waiting = handoffs.list_handoffs(db, (handoffs.HandoffStatus.WAITING.value,))
        positions = {h.id: index for index, h in enumerate(waiting, start=1)}
        estimate = handoffs.wait_estimator(db)
        listed = []
        for handoff in found:
            data = handoff_json(handoff)
            position = positions.get(handoff.id)
            if position is not None:
                data["position"] = position
                data["estimated_wait_seconds"] = _seconds(estimate(position))
            listed.append(data)
        return {
            "handoffs": listed,
            "queue": {
                "waiting": len(waiting),
                "estimated_wait_seconds": _seconds(estimate(len(waiting) + 1)),
            },
        }

    return web.json_response(await asyncio.to_thread(read))


async def get_handoff(request: web.Request) -> web.Response:
    handoff = await asyncio.to_thread(
        handoffs.get_handoff, _core(request).db, _handoff_id(request), with_messages=True
    )
    if handoff is None:
        return error("introuvable")
    data = handoff_json(handoff)
    data["messages"] = [message_json(m) for m in handoff.messages]
    return web.json_response(data)


async def list_messages(request: web.Request) -> web.Response:
    db = _core(request).db
    handoff_id = _handoff_id(request)
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        after = 0
    handoff = await asyncio.to_thread(handoffs.get_handoff, db, handoff_id)
    if handoff is None:
        return error("introuvable")
    found = await asyncio.to_thread(handoffs.messages, db, handoff_id, after)
    return web.json_response({"status": handoff.status, "messages": [message_json(m) for m in found]})


def _taken(db: Database, handoff_id: int, advisor: Advisor) -> tuple[HandoffView, dict[str, Any]]:
    handoff = handoffs.take(db, handoff_id, advisor.login, advisor.name)
    return handoff, {"handoff": handoff_json(handoff)}


def _closed(db: Database, handoff_id: int, advisor: Advisor) -> tuple[HandoffView, dict[str, Any]]:
    handoff = handoffs.close(db, handoff_id, advisor.login)
    return handoff, {"handoff": handoff_json(handoff)}


async def take_handoff(request: web.Request) -> web.Response:
    return await _advisor_command(request, audit.TAKE, _taken)


async def close_handoff(request: web.Request) -> web.Response:
    return await _advisor_command(request, audit.CLOSE, _closed)


async def post_message(request: web.Request) -> web.Response:
    if acting_advisor(request) is None:
        return error("conseiller_requis")
    body = await _json_body(request)
    if isinstance(body, web.Response):
        return body
    text = body.get("text")
    if not isinstance(text, str):
        return error("message_vide")
    key = request.headers.get("Idempotency-Key") or body.get("client_id")
    if key is not None and (not isinstance(key, str) or not IDEMPOTENCY_KEY.match(key)):
        return error("cle_invalide")

    def sent(db: Database, handoff_id: int, advisor: Advisor) -> tuple[HandoffView, dict[str, Any]]:
        handoff, message = handoffs.add_advisor_message(db, handoff_id, advisor.login, text, key)
        return handoff, {"message": message_json(message)}

    return await _advisor_command(request, audit.MESSAGE, sent, status=201)


async def solicitation(request: web.Request) -> web.StreamResponse:
    """A solicitation draft read back, as JSON or (`.txt`) as plain text ready to paste."""
    core = _core(request)
    reference = request.match_info["reference"]
    as_text = reference.endswith(".txt")
    reference = reference.removesuffix(".txt")
    if not REFERENCE.match(reference):
        return error("sollicitation_introuvable")
    found = await asyncio.to_thread(repository.get_draft, core.db, reference)
    if found is None:
        return error("sollicitation_introuvable")
    if as_text:
        text = draft_text(found, core.catalogue())
        return web.Response(text=text, content_type="text/plain", charset="utf-8")
    return web.json_response(found)


async def erase_conversation(request: web.Request) -> web.Response:
    """Everything stored about one conversation deleted (a user's request under the RGPD): its
    tracker events, handoffs and their messages, solicitation drafts, votes. The API token only:
    an advisor's session cannot erase. Logged with the counts, never the content."""
    if not by_api_token(request):
        return error("jeton_requis")
    conversation_id = request.match_info["conversation_id"]
    if not conversation_id.strip() or len(conversation_id) > MAX_CONVERSATION_ID:
        return error("conversation_invalide")
    try:
        removed = await asyncio.to_thread(retention.erase, _core(request), conversation_id)
    except retention.NoTrackerDatabase:
        logger.error("erasure refused: no tracker database configured (ENDPOINTS_FILE)")
        return error("effacement_impossible")
    advisor = acting_advisor(request)
    await asyncio.to_thread(
        audit.record, _core(request).db, audit.ERASE, actor=advisor.login if advisor else None,
        client_key=client_key(request),
    )
    logger.info(
        "conversation %s erased through the API (%s): %s rows deleted %s", conversation_id,
        advisor.login if advisor else "token", removed.total, removed.as_dict(),
    )
    return web.json_response(
        {"conversation_id": conversation_id, "removed": removed.as_dict(), "total": removed.total}
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/api/moi", me)
    app.router.add_get("/api/handoffs", list_handoffs)
    app.router.add_get("/api/handoffs/{handoff_id}", get_handoff)
    app.router.add_get("/api/handoffs/{handoff_id}/messages", list_messages)
    app.router.add_post("/api/handoffs/{handoff_id}/messages", post_message)
    app.router.add_post("/api/handoffs/{handoff_id}/take", take_handoff)
    app.router.add_post("/api/handoffs/{handoff_id}/close", close_handoff)
    app.router.add_get("/api/sollicitations/{reference}", solicitation)
    app.router.add_delete("/api/conversations/{conversation_id}", erase_conversation)
