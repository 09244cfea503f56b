#!/bin/sh
# Container entry point: bring the database schema up to date when asked (MIGRATE=1), then run the command.
# With several instances, let one of them (or a one-off job) migrate: the others start with MIGRATE unset.
set -eu
if [ "${MIGRATE:-0}" = "1" ]; then
    echo "gateway: applying database migrations" >&2
    flask --app wsgi db upgrade
fi
exec "$@"
