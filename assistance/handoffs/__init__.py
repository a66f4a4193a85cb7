"""The live chat with a human advisor (a « transfert » in the domain): queue, messages both
ways, take, close, expiry. The database is the only source of truth: Rasa slots only remember
what the user was already told.

    model.py     statuses, views, errors
    queries.py   reading
    commands.py  changes from the user's side and the advisor's side
    expiry.py    giving up a waiting handoff
"""

from assistance.handoffs.commands import (
    HandoffLimit,
    add_advisor_message,
    add_user_message,
    close,
    create_handoff,
    mark_delivered,
    record_rating,
    take,
    take_unsent,
)
from assistance.handoffs.expiry import (
    abandon,
    due_reason,
    expire_overdue,
    give_up_if_due,
)
from assistance.handoffs.model import (
    MAX_MESSAGE_LENGTH,
    OPEN_STATUSES,
    EndReason,
    HandoffError,
    HandoffStatus,
    HandoffView,
    MessageView,
    QueueInfo,
    acknowledged_message_id,
    advisor_message_payload,
    minutes,
)
from assistance.handoffs.queries import (
    get_handoff,
    list_handoffs,
    messages,
    open_handoff_for,
    queue_info,
    undelivered,
    wait_estimator,
)

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "OPEN_STATUSES",
    "abandon",
    "add_advisor_message",
    "add_user_message",
    "close",
    "create_handoff",
    "due_reason",
    "EndReason",
    "expire_overdue",
    "get_handoff",
    "give_up_if_due",
    "HandoffError",
    "HandoffLimit",
    "HandoffStatus",
    "HandoffView",
    "list_handoffs",
    "mark_delivered",
    "messages",
    "MessageView",
    "minutes",
    "open_handoff_for",
    "queue_info",
    "QueueInfo",
    "acknowledged_message_id",
    "advisor_message_payload",
    "record_rating",
    "take",
    "take_unsent",
    "undelivered",
    "wait_estimator",
]
