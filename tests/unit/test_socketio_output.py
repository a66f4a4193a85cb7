"""A socket.io turn shows its answer only once the turn is saved (held until `release`)."""

from assistance import handoffs
from channels.resilient import SocketIOOutput


class RecordingServer:
    """What the output emits, in order (python-socketio's AsyncServer.emit signature)."""

    def __init__(self) -> None:
        self.emitted: list[tuple] = []

    async def emit(self, event, data, room=None, namespace=None, callback=None, **_):
        self.emitted.append((event, data, room, callback is not None))


async def test_a_held_turn_emits_nothing_until_released_then_everything_in_order():
    server = RecordingServer()
    output = SocketIOOutput(server, "bot_uttered", hold=True)
    await output.send_text_message("marie", "Premier message.\n\nSecond message.")
    advisor = handoffs.advisor_message_payload("Bonjour, je suis Léa.", "Léa", 7)
    await output.send_custom_json("marie", advisor)

    assert server.emitted == []
    assert output.sent == 3  # counted at once: the turn said something

    await output.release()
    assert server.emitted == [
        ("bot_uttered", {"text": "Premier message."}, "marie", False),
        ("bot_uttered", {"text": "Second message."}, "marie", False),
        ("bot_uttered", advisor["data"], "marie", True),  # with its acknowledgement request
    ]

    await output.send_text_message("marie", "Après coup.")
    assert server.emitted[-1] == ("bot_uttered", {"text": "Après coup."}, "marie", False)


async def test_an_output_that_does_not_hold_emits_at_once():
    server = RecordingServer()
    output = SocketIOOutput(server, "bot_uttered")
    await output.send_text_message("marie", "Un conseiller vous répond.")
    assert server.emitted == [("bot_uttered", {"text": "Un conseiller vous répond."}, "marie", False)]


async def test_a_turn_that_fails_before_it_is_saved_shows_only_the_technical_error():
    from rasa.core.channels.channel import UserMessage

    from channels.resilient import held_turn, technical_error_text

    server = RecordingServer()
    output = SocketIOOutput(server, "bot_uttered", hold=True)

    async def handle(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Une réponse jamais enregistrée.")
        raise OSError("the tracker store refused the write")

    await held_turn(handle, UserMessage("bonjour", output, "marie"), output)
    shown = [data["text"] for _, data, _, _ in server.emitted]
    assert shown == [technical_error_text("utter_erreur_enregistrement")]
    assert "pas été pris en compte" in shown[0]
    assert "Une réponse jamais enregistrée." not in shown


async def test_a_saved_turn_is_released():
    from rasa.core.channels.channel import UserMessage

    from channels.resilient import held_turn

    server = RecordingServer()
    output = SocketIOOutput(server, "bot_uttered", hold=True)

    async def handle(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Bonjour !")

    await held_turn(handle, UserMessage("bonjour", output, "marie"), output)
    assert [data["text"] for _, data, _, _ in server.emitted] == ["Bonjour !"]
