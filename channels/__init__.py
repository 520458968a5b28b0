"""Where users reach the assistant: the web widget, Telegram and Signal bridges, and the griffie page.

Everything here runs in the actions environment (.venv-actions), apart from the Rasa server, which each
channel talks to over HTTP: the bridges through Rasa's REST channel, the widget through its socket.io channel.
"""
