"""Custom dialogue policies of the Claud.IA assistant (listed in config.yml)."""
