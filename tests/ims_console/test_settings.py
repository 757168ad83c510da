from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ims_console.database_url import parse_database_url

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_url_with_a_relative_path_names_that_file():
    assert parse_database_url("sqlite:///db.sqlite3") == {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}


def test_sqlite_url_with_four_slashes_is_an_absolute_path():
    assert parse_database_url("sqlite:////var/lib/ims/ims.db")["NAME"] == "/var/lib/ims/ims.db"


def test_postgres_url_gives_every_connection_part():
    config = parse_database_url("postgres://ims:s%40cret@db.internal:6432/ims_prod?sslmode=require")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "ims", "s@cret", "db.internal", 6432, "ims_prod",
    )
    assert config["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("db.sqlite3", "it has no scheme"),
        ("mysql://root@localhost/ims", "the scheme 'mysql' is not supported"),
        ("sqlite://", "it names no database file"),
        ("sqlite://host/db", "a SQLite URL has no host"),
        ("postgres://user@/ims", "it names no host"),
        ("postgres://user@db", "it names no database"),
        ("postgres://user@db:notaport/ims", "the port is not a number"),
    ],
)
def test_malformed_database_urls_are_refused_naming_the_value_and_the_reason(url, reason):
    with pytest.raises(ImproperlyConfigured) as error:
        parse_database_url(url)
    assert repr(url) in str(error.value)
    assert reason in str(error.value)


def test_start_up_stops_with_a_clear_message_when_database_url_is_malformed():
    env = {**os.environ, "DATABASE_URL": "postgress//oops", "DJANGO_SETTINGS_MODULE": "ims_console.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "DATABASE_URL='postgress//oops' is not usable: it has no scheme" in result.stderr


def test_production_mode_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_production_settings_pass_the_deployment_checks():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "ims.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
