# syntax=docker/dockerfile:1
# Image for the action server, the web page (widget + griffie page) and the Telegram and Signal
# bridges: the .venv-actions environment of the Makefile. docker-compose.yml picks the command.

# The widget's npm packages (channels/widget/package-lock.json): socket.io-client, which the web page
# serves from node_modules; the dev dependencies (axe-core, for the tests) stay out.
FROM node:20-slim AS widget
WORKDIR /src/channels/widget
COPY channels/widget/package.json channels/widget/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The Python environment, from the committed lock file exactly as `make install` does.
# build-essential: multidict 5.2.0 has no wheel for Python 3.11 and is compiled here.
FROM python:3.11-slim-bookworm AS venv
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements/actions.lock.txt requirements/
RUN pip install -q "pip<25" \
    && pip install -q --no-deps --ignore-requires-python -r requirements/actions.lock.txt

FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/app app
COPY --from=venv /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONWARNINGS=ignore::DeprecationWarning \
    HOME=/home/app
WORKDIR /app
# Code stays owned by root: the services cannot change it.
COPY alembic.ini pyproject.toml ./
COPY bot ./bot
COPY channels ./channels
COPY core ./core
COPY --from=widget /src/channels/widget/node_modules ./channels/widget/node_modules
# Our packages (actions, channels, core, ...: pyproject.toml), editable so they stay in /app as the Makefile has them.
RUN pip install -q --no-deps -e . && rm -rf bot/*.egg-info
USER app
EXPOSE 5055 8080 8081 8082
CMD ["python", "-m", "rasa_sdk", "--actions", "actions", "--port", "5055"]
