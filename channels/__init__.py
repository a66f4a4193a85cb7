"""Input channels of the assistant: Rasa's REST and socket.io channels, made resilient.

Rasa imports this package from credentials.yml before it handles any message: the personal-data
masking of the Rasa server's logs is installed here (assistance/privacy.py).
"""

from assistance.privacy import install_log_filter

install_log_filter()
