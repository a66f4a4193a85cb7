"""Response generation of the Rasa server."""
