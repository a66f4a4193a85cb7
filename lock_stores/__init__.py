"""Lock stores for the Rasa server (configured in endpoints*.yml)."""
