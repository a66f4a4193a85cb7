"""The REST channel sends a text with buttons as one message per paragraph, like socket.io."""

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel

from channels.resilient import RestOutput, RestQueueOutput, parts_before_buttons

VOTES = [{"title": "👍", "payload": "/vote_positif"}, {"title": "👎", "payload": "/vote_negatif"}]
ANSWER = "Premier message.\n\nSecond message :\n1. une étape\n2. une autre\n\nDernier message."


async def test_a_text_with_buttons_is_split_at_blank_lines_with_the_buttons_on_the_last_part():
    messages: list[dict] = []
    await RestOutput(messages).send_response("marie", {"text": ANSWER, "buttons": list(VOTES)})
    assert messages == [
        {"recipient_id": "marie", "text": "Premier message."},
        {"recipient_id": "marie", "text": "Second message :\n1. une étape\n2. une autre"},
        {"recipient_id": "marie", "text": "Dernier message.", "buttons": VOTES},
    ]


async def test_a_one_paragraph_text_with_buttons_stays_one_message():
    messages: list[dict] = []
    await RestOutput(messages).send_response("marie", {"text": "Voulez-vous lui parler ?", "buttons": VOTES})
    assert messages == [{"recipient_id": "marie", "text": "Voulez-vous lui parler ?", "buttons": VOTES}]


async def test_the_collector_of_the_rest_route_is_replaced_on_the_same_list():
    collector = CollectingOutputChannel()
    used = []

    async def on_new_message(message: UserMessage) -> None:
        used.append(message.output_channel)
        await message.output_channel.send_response("marie", {"text": ANSWER, "buttons": VOTES})

    await parts_before_buttons(on_new_message)(UserMessage("bonjour", collector, "marie"))
    assert isinstance(used[0], RestOutput)
    assert [m.get("buttons") for m in collector.messages] == [None, None, VOTES]


async def test_the_streaming_route_splits_too():
    queue: asyncio.Queue = asyncio.Queue()
    used = []

    async def on_new_message(message: UserMessage) -> None:
        used.append(message.output_channel)
        await message.output_channel.send_response("marie", {"text": ANSWER, "buttons": VOTES})

    await parts_before_buttons(on_new_message)(UserMessage("bonjour", QueueOutputChannel(queue), "marie"))
    assert isinstance(used[0], RestQueueOutput)
    assert [queue.get_nowait().get("text") for _ in range(queue.qsize())] == [
        "Premier message.", "Second message :\n1. une étape\n2. une autre", "Dernier message.",
    ]


async def test_a_live_chat_notice_carries_its_text_for_plain_rest_clients():
    messages: list[dict] = []
    notice = {"data": {"text": "Vous êtes en file d'attente.",
                       "conseiller": {"evenement": "attente", "nom": None}}}
    await RestOutput(messages).send_response("marie", {"custom": notice})
    assert messages == [{"recipient_id": "marie", "text": "Vous êtes en file d'attente.", "custom": notice}]
    other: list[dict] = []
    await RestOutput(other).send_response("marie", {"custom": {"carte": 1}})
    assert other == [{"recipient_id": "marie", "custom": {"carte": 1}}]
