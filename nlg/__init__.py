"""Response generation of the Rasa server.

Rasa imports this package from endpoints.yml (`nlg:`), in `rasa run` and `rasa shell` alike: the
personal-data masking of the Rasa server's logs is installed here too (assistance/privacy.py;
installing it twice does nothing).
"""

from assistance.privacy import install_log_filter

install_log_filter()
