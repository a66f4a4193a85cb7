"""Custom actions of the Claud.IA assistant (the Rasa action server), one module per skill.

Thin adapters over the core (package `assistance`): they read the tracker, call the core,
and turn its answers into responses and events.

The action server imports this package when it registers the actions, before it runs any: the
personal-data masking of its logs is installed here (assistance/privacy.py).
"""

from assistance.privacy import install_log_filter

install_log_filter()
