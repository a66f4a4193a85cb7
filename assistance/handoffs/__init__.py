"""The live chat with a human advisor (a « transfert » in the domain): queue, messages both
ways, take, close, expiry. The database is the only source of truth: Rasa slots only remember
what the user was already told.

    model.py     statuses, views, errors
    queries.py   reading
    commands.py  changes from the user's side and the advisor's side
    expiry.py    giving up a waiting handoff
"""

from assistance.handoffs.commands import (
    add_advisor_message,
    add_user_message,
    claim_undelivered,
    close,
    create_handoff,
    record_rating,
    take,
)
from assistance.handoffs.expiry import abandon, due_reason, expire_overdue, give_up_if_due
from assistance.handoffs.model import (
    MAX_MESSAGE_LENGTH,
    OPEN_STATUSES,
    EndReason,
    HandoffError,
    HandoffStatus,
    HandoffView,
    MessageView,
    QueueInfo,
    minutes,
)
from assistance.handoffs.queries import (
    get_handoff,
    list_handoffs,
    messages,
    open_handoff_for,
    queue_info,
    wait_estimator,
)

__all__ = [
    "MAX_MESSAGE_LENGTH", "OPEN_STATUSES", "EndReason", "HandoffError", "HandoffStatus",
    "HandoffView", "MessageView", "QueueInfo", "abandon", "add_advisor_message",
    "add_user_message", "claim_undelivered", "close", "create_handoff", "due_reason",
    "expire_overdue", "get_handoff", "give_up_if_due", "list_handoffs", "messages", "minutes",
    "open_handoff_for", "queue_info", "record_rating", "take", "wait_estimator",
]
