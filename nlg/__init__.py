"""Response generation of the Rasa server (endpoints.yml `nlg:`): responses, vote buttons, typography."""
