#!/bin/bash
# Runs once, when the postgres container initialises an empty data volume (docker-entrypoint-initdb.d).
# Two databases, each with its own owner:
#   meldhulp  reports and protocol tables (action server, web/griffie page), user "meldhulp"
#   rasa      Rasa's tracker store (conversations), user "rasa"
# Passwords come from the container's environment (docker-compose.yml), never from this file.
set -euo pipefail
: "${MELDHULP_DB_PASSWORD:?MELDHULP_DB_PASSWORD is not set}"
: "${RASA_DB_PASSWORD:?RASA_DB_PASSWORD is not set}"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  --set app_password="$MELDHULP_DB_PASSWORD" --set rasa_password="$RASA_DB_PASSWORD" <<'SQL'
CREATE ROLE meldhulp LOGIN PASSWORD :'app_password';
CREATE DATABASE meldhulp OWNER meldhulp;
REVOKE ALL ON DATABASE meldhulp FROM PUBLIC;
CREATE ROLE rasa LOGIN PASSWORD :'rasa_password';
CREATE DATABASE rasa OWNER rasa;
REVOKE ALL ON DATABASE rasa FROM PUBLIC;
SQL
