"""The desk's wake-ups: one Rasa did not take is tried again by the sweeper, a few times."""

from aiohttp import web
from aiohttp.test_utils import TestServer

from desk.rasa_client import WAKE_UP_TRIES, RasaClient


async def rasa_that_refuses(times: int) -> tuple[TestServer, list[str]]:
    """A stand-in for Rasa's trigger_intent route: busy `times` times, then takes the wake-ups."""
    calls: list[str] = []

    async def trigger(request: web.Request) -> web.Response:
        calls.append(request.match_info["conversation_id"])
        if len(calls) <= times:
            return web.Response(status=503, text="busy")
        return web.json_response({"tracker": {}})

    app = web.Application()
    app.router.add_post("/conversations/{conversation_id}/trigger_intent", trigger)
    server = TestServer(app)
    await server.start_server()
    return server, calls


async def test_a_wake_up_rasa_did_not_take_is_tried_again_until_it_is_taken():
    server, calls = await rasa_that_refuses(times=2)
    client = RasaClient(str(server.make_url("")), jwt_secret=None)
    try:
        assert await client.wake_up("conv-1") is False
        assert await client.retry_missed() == 0  # still busy
        assert await client.retry_missed() == 1  # taken now
        assert await client.retry_missed() == 0 and calls == ["conv-1"] * 3  # nothing left to retry
    finally:
        await client.close()
        await server.close()


async def test_the_sweeper_gives_up_after_a_few_tries():
    server, calls = await rasa_that_refuses(times=100)
    client = RasaClient(str(server.make_url("")), jwt_secret=None)
    try:
        await client.wake_up("conv-2")
        for _ in range(WAKE_UP_TRIES + 3):
            await client.retry_missed()
        assert len(calls) == WAKE_UP_TRIES + 1  # the first try, then WAKE_UP_TRIES retries
    finally:
        await client.close()
        await server.close()
