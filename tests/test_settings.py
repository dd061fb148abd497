"""Settings read the environment strictly; production refuses to start without secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PRINT = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'huey': s.HUEY['huey_class'], 'cache': s.CACHES['default']['BACKEND'],"
    " 'db': s.DATABASES['default']['ENGINE'], 'min': s.PASSWORD_MIN_LENGTH,"
    " 'session': s.SESSION_ENGINE, 'media': str(s.MEDIA_ROOT),"
    " 'health': s.DATABASES['default'].get('CONN_HEALTH_CHECKS')}))"
)


def _run(tmp_path, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("WAISHI_")}
    full.update({"DJANGO_SETTINGS_MODULE": "waishi.settings", "WAISHI_VAR_DIR": str(tmp_path)})
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_defaults_are_sqlite_and_file_queue(tmp_path):
    result = _run(tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["huey"] == "huey.SqliteHuey"
    assert values["db"].endswith("sqlite3")
    assert values["cache"].endswith("FileBasedCache")
    assert values["session"] == "django.contrib.sessions.backends.db"
    assert values["media"] == str(tmp_path.resolve() / "media")
    # Generated secrets are kept beside the database, readable by the owner only.
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0


def test_redis_url_switches_queue_cache_and_sessions(tmp_path):
    values = json.loads(_run(tmp_path, WAISHI_REDIS_URL="redis://127.0.0.1:6379/3").stdout)
    assert values["huey"] == "huey.RedisHuey"
    assert values["cache"].endswith("RedisCache")
    # No state on an app server: sessions live in Redis with the cache (docs/deploy.md).
    assert values["session"] == "django.contrib.sessions.backends.cache"


def test_media_dir_and_connection_checks_for_several_servers(tmp_path):
    shared = tmp_path / "shared-media"
    values = json.loads(
        _run(
            tmp_path,
            WAISHI_MEDIA_DIR=str(shared),
            WAISHI_DATABASE_URL="postgres://waishi@db.invalid/waishi",
        ).stdout
    )
    assert values["media"] == str(shared.resolve())
    # A kept connection killed by the server is noticed before a request uses it.
    assert values["health"] is True


def test_production_refuses_missing_secrets(tmp_path):
    result = _run(tmp_path, WAISHI_MODE="production", WAISHI_ALLOWED_HOSTS="x.example")
    assert result.returncode != 0
    assert "WAISHI_SECRET_KEY must be set in production" in result.stderr
    assert not (tmp_path / "secrets.json").exists()


def test_bad_numbers_are_refused_with_the_variable_named(tmp_path):
    result = _run(tmp_path, WAISHI_PASSWORD_MIN_LENGTH="ten")
    assert result.returncode != 0
    assert "WAISHI_PASSWORD_MIN_LENGTH must be an integer" in result.stderr
    result = _run(tmp_path, WAISHI_PASSWORD_MIN_LENGTH="4")
    assert "at least 8" in result.stderr


def test_session_sweep_follows_the_session_engine(settings, db):
    """With Redis, sessions expire in Redis: the nightly sweep asks the configured engine
    (a no-op for the cache engine) and still purges old periodic runs."""
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from waishi.notify import tasks
    from waishi.notify.models import PeriodicRun

    long_ago = timezone.now() - dt.timedelta(days=200)
    Session.objects.create(session_key="k" * 32, session_data="", expire_date=long_ago)
    PeriodicRun.objects.create(task="old", period_start=long_ago)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    tasks.clear_expired_sessions.call_local()
    assert Session.objects.count() == 1  # not the cache engine's table
    assert not PeriodicRun.objects.filter(task="old").exists()
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    PeriodicRun.objects.all().delete()  # the next period's claim
    tasks.clear_expired_sessions.call_local()
    assert Session.objects.count() == 0
