# syntax=docker/dockerfile:1
# Image for the Rasa server: the .venv-rasa environment of the Makefile, with the model trained
# at build time (as `make train`: the Dutch spaCy pipeline, then `rasa train` through patches.train).

# The Python environment, from the committed lock file exactly as `make install` does.
# build-essential: multidict 5.2.0 has no wheel for Python 3.11 and is compiled here.
FROM python:3.11-slim-bookworm AS venv
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements/rasa.lock.txt requirements/
# Rasa 3.6 declares Python <3.11; the lock pins what a Python 3.10 resolution gives (README).
RUN pip install -q "pip<25" \
    && pip install -q --no-deps --ignore-requires-python -r requirements/rasa.lock.txt
# Our build of the e5 engine (native/e5/README.md), with the same compiler flags as on a developer's machine.
COPY native/e5 native/e5
COPY scripts/build_e5.sh scripts/
RUN scripts/build_e5.sh
# The classifier's fit kernels (native/fit/fit.c): training in the image is as fast as on a developer's machine.
COPY native/fit native/fit
COPY scripts/build_fit.sh scripts/
RUN scripts/build_fit.sh

FROM python:3.11-slim-bookworm
# libgomp1: the OpenMP library our e5 engine loads
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/app app
COPY --from=venv /opt/venv /opt/venv
COPY --from=venv /src/models/e5-engine /app/models/e5-engine
COPY --from=venv /src/models/fit /app/models/fit
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONWARNINGS=ignore::DeprecationWarning \
    TF_CPP_MIN_LOG_LEVEL=3 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    RASA_TELEMETRY_ENABLED=false
WORKDIR /app
COPY pyproject.toml ./
COPY bot ./bot
COPY channels ./channels
COPY core ./core
COPY scripts/build_spacy_nl.py ./scripts/
# Our packages (nlu, patches, connectors, core, ...: pyproject.toml), editable so they stay in /app.
RUN pip install -q --no-deps -e . && rm -rf bot/*.egg-info
COPY deploy/endpoints.yml ./deploy/
# Train as root at build time (about 2.5 minutes on 2 cores), so that code and model stay read-only
# for the server; the training cache is not kept.
RUN python scripts/build_spacy_nl.py models/spacy-nl \
    && cd bot && python -m patches.train --domain domain --out ../models --fixed-model-name meldhulp --augmentation 0 \
    && rm -rf .rasa /root/.config
ENV HOME=/home/app
USER app
WORKDIR /app/bot
EXPOSE 5005
CMD ["sh", "-c", "exec python -m rasa run --enable-api --auth-token \"$RASA_TOKEN\" --model ../models/meldhulp.tar.gz --endpoints ../deploy/endpoints.yml --credentials ../deploy/credentials.yml --port 5005"]
