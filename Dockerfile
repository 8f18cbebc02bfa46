# One image for every process of the portal: web (gunicorn), worker and beat (Celery) and the
# one-shot migrate step. docker-compose.yml chooses the command; each command is also a
# Makefile target (make web / worker / beat / migrate).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production \
    DJANGO_MEDIA_ROOT=/var/lib/portal/media

# WeasyPrint loads Pango, HarfBuzz (with its font subsetter) and libffi at run time; gettext
# compiles the translations; `manage.py backup` and `restore` call pg_dump and pg_restore of
# PostgreSQL 15, the server's major version in docker-compose.yml (bookworm's client is 15).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libffi8 gettext \
        postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 portal \
    && useradd --system --uid 1000 --gid portal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md LICENSE ./
RUN pip install .

COPY . .

# Translations and static files are built into the image with the production settings (the
# hashed file names of the static manifest depend on them). The values below exist only for
# this build step; the real ones come from the environment at run time.
RUN export DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
        DATABASE_URL=sqlite://:memory: \
        REDIS_URL=redis://build.invalid:6379/0 \
        EMAIL_URL=consolemail:// \
        DJANGO_ALLOWED_HOSTS=build.invalid \
        PORTAL_BASE_URL=https://build.invalid \
        PORTAL_OPERATOR_ADDRESS=build \
        PORTAL_OPERATOR_EMAIL=build@build.internal \
        PORTAL_OPERATOR_PHONE=0 \
        PORTAL_ACCESSIBILITY_EMAIL=build@build.internal \
        PORTAL_ENFORCEMENT_EMAIL=build@build.internal \
    && if find . -name '*.po' | grep -q .; then python manage.py compilemessages -v0; fi \
    && python manage.py collectstatic --noinput -v0 \
    && mkdir -p "$DJANGO_MEDIA_ROOT" /backups \
    && chown portal:portal "$DJANGO_MEDIA_ROOT" /backups \
    && chmod 750 "$DJANGO_MEDIA_ROOT" \
    && chmod 700 /backups

# The commit or release this image is built from (docker-compose.yml passes it as a build
# argument); each backup's manifest records it.
ARG PORTAL_RELEASE=unbekannt
ENV PORTAL_RELEASE=$PORTAL_RELEASE

USER portal
EXPOSE 8000
VOLUME ["/var/lib/portal/media"]

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2"]
