"""Tables of the application database, one module per skill (imported here to register them)."""

from actions.models.handoff import *  # noqa: F403
from actions.models.sollicitation import *  # noqa: F403
from actions.models.vote import Vote

__all__ = ["Vote"]
