# Reentry Commons: one image for the web server, the Celery worker and Celery beat.
# docker-compose.yml runs it with PostgreSQL and Redis; see README.md.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin reentry
WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
# (pyproject.toml declares no packages: `pip install .` installs the dependencies only,
# and the code runs from /app.)
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
# Static files are collected into the image and served by whitenoise. The secret key here
# only satisfies the settings module at build time; it is never used by a running container.
RUN SECRET_KEY=collectstatic-build-only DEBUG=false python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown reentry:reentry /app/media \
    && chmod 0755 bin/docker-entrypoint bin/healthcheck

USER reentry
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "bin/healthcheck"]

ENTRYPOINT ["bin/docker-entrypoint"]
# gunicorn reads its worker count from WEB_CONCURRENCY (docker-compose.yml sets it).
CMD ["gunicorn", "reentry.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
