"""Input channels of the assistant: Rasa's REST and socket.io channels, made resilient.

The Rasa server that loads them, servers/rasa_server.py, masks personal data in its logs
(assistance/privacy.py).
"""
