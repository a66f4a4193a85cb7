"""What every part of the desk app reaches through the application: the core and Rasa."""

from aiohttp import web

from assistance.bootstrap import Core
from desk.rasa_client import RasaClient

CORE = web.AppKey("core", Core)
RASA = web.AppKey("rasa", RasaClient)
