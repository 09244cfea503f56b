# T-book Gateway: gunicorn on python:3.11-slim, as an unprivileged user.
#   docker build -t tbook-gateway .
#   docker run -p 8000:8000 --env-file .env -e MIGRATE=1 tbook-gateway
# See docs/deployment.md for several instances on PostgreSQL.

# --- build: wheels for every runtime dependency (psycopg[binary] ships its own libpq) ------------------------
FROM python:3.11-slim AS build
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

# --- runtime: the wheels, the application, nothing else -----------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000
RUN useradd --system --uid 10001 --user-group --home-dir /srv/gateway --no-create-home gateway
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/* && rm -rf /wheels
WORKDIR /srv/gateway
COPY app ./app
COPY templates ./templates
COPY translations ./translations
COPY migrations ./migrations
COPY config ./config
COPY wsgi.py ./
COPY docker/entrypoint.sh /usr/local/bin/gateway-entrypoint
# The pages' translations, compiled here: at run time the gateway's user cannot write beside them.
RUN python -c "from app.web.i18n import compile_catalogs; compile_catalogs()"
# instance/ holds the default SQLite database: the only place the gateway writes (mount a volume there).
RUN mkdir instance && chown gateway:gateway instance
USER gateway
EXPOSE 8000
VOLUME ["/srv/gateway/instance"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
ENTRYPOINT ["gateway-entrypoint"]
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "wsgi:app"]
