"""The entry points of the Rasa server and the action server, with secrets from the environment.

`rasa run --jwt-secret …` would show the secret in the process list, and Rasa's action server has
no authentication at all: these launchers keep Rasa's own servers and add what is missing.

    python -m servers.rasa_server [--model M] [--port P] [--endpoints E] [--credentials C]
    python -m servers.action_server [--port P]
"""
