"""Input channels of the assistant: Rasa's REST and socket.io channels, made resilient."""
