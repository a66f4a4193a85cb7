"""What the advisors' pages must hear about: a handoff or its messages changed.

Whoever changes a handoff (the action server for the user's side, a desk process for the
advisor's) publishes a small event — never the content — on the Redis channel `claudia:desk`
when REDIS_URL is set; every desk process listens and pushes it to its pages (desk/live.py).
Without Redis (the local mode), the desk notices changes from a fingerprint of the handoff
tables (`fingerprint`), read once a second by each desk process, whatever the number of pages.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import func, select

from assistance.db import Database
from assistance.db.models import Handoff, HandoffMessage

logger = logging.getLogger(__name__)
CHANNEL = "claudia:desk"


class DeskEvents:
    """Publishes `{"kind": ..., "handoff_id": ...}` for the desks; a no-op without Redis."""

    def __init__(self, redis_url: str | None) -> None:
        self.redis_url = redis_url
        self._client: Any = None

    def publish(self, kind: str, handoff_id: int | None = None) -> None:
        if not self.redis_url:
            return
        try:
            if self._client is None:
                import redis

                self._client = redis.Redis.from_url(self.redis_url, socket_timeout=2)
            self._client.publish(CHANNEL, json.dumps({"kind": kind, "handoff_id": handoff_id}))
        except Exception:  # noqa: BLE001 (the desks still see the change at their next read)
            logger.warning("desk event not published: %s", kind)


def fingerprint(db: Database) -> tuple:
    """Changes whenever a handoff is created, changes status, or gets a message."""
    with db.session() as session:
        statuses = tuple(session.execute(
            select(Handoff.status, func.count(Handoff.id), func.max(Handoff.id))
            .group_by(Handoff.status).order_by(Handoff.status)
        ).all())
        last_message = session.scalar(select(func.max(HandoffMessage.id)))
    return statuses, last_message
