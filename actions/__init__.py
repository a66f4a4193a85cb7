"""Custom actions of the Claud.IA assistant (the Rasa action server), one module per skill.

Thin adapters over the core (package `assistance`): they read the tracker, call the core,
and turn its answers into responses and events. The server that runs them,
servers/action_server.py, masks personal data in its logs (assistance/privacy.py).
"""
