"""The advisor desk: a small aiohttp web app where human advisors take and answer live chats.

It lists the handoffs waiting for an advisor (reason, profile, waiting time, transcript), lets an
advisor take one (atomically), chat with the user and close it. A JSON API under /api does the
same for an external live-chat tool (desk/openapi.yaml). Handoffs live in the application
database (assistance/handoffs/); the desk reaches Rasa only through its HTTP API, with the
token, to wake the conversation up (desk/rasa_client.py). Run it with `python -m desk`.
"""
