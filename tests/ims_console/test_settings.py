from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ims_console.core.database_url import parse_database_url

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


def test_without_a_secret_key_one_is_generated_once_kept_private_and_reused(tmp_path):
    key_file = tmp_path / "secret"
    env = {**os.environ, "DJANGO_SECRET_KEY": "", "IMS_SECRET_KEY_FILE": str(key_file)}
    show = [sys.executable, "manage.py", "shell", "-v", "0", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"]
    first = subprocess.run(show, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    second = subprocess.run(show, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert key_file.read_text().strip() == first.stdout.strip()
    assert key_file.stat().st_mode & 0o077 == 0


def test_debug_is_off_unless_asked_for():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    show = [sys.executable, "manage.py", "shell", "-v", "0", "-c", "from django.conf import settings; print(settings.DEBUG)"]
    result = subprocess.run(show, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def test_production_settings_pass_the_deployment_checks():
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_HTTPS")},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "ims.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_workers_starting_together_all_get_the_same_generated_key(tmp_path):
    key_file = tmp_path / "secret"
    env = {**os.environ, "DJANGO_SECRET_KEY": "", "IMS_SECRET_KEY_FILE": str(key_file)}
    show = [sys.executable, "manage.py", "shell", "-v", "0", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"]
    workers = [subprocess.Popen(show, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    keys = {worker.communicate(timeout=60)[0].strip() for worker in workers}
    assert keys == {key_file.read_text().strip()}
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"IMS_BACKEND": "glance"}, "IMS_BACKEND='glance'"),
        ({"IMS_BACKEND": "openstack"}, "OS_AUTH_URL=''"),
        ({"IMS_BACKEND": "openstack", "OS_AUTH_URL": "http://keystone:5000/v2.0"}, "OS_AUTH_URL='http://keystone:5000/v2.0'"),
        ({"IMS_BACKEND": "openstack", "OS_AUTH_URL": "http://k:5000/v3", "OS_INTERFACE": "private"}, "OS_INTERFACE='private'"),
        ({"IMS_BACKEND": "openstack", "OS_AUTH_URL": "http://k:5000/v3", "OS_CACERT": "/nonexistent.pem"}, "OS_CACERT='/nonexistent.pem'"),
        ({"IMS_REMOTE_TIMEOUT": "ten"}, "IMS_REMOTE_TIMEOUT='ten'"),
        ({"IMS_REMOTE_TIMEOUT": "0"}, "IMS_REMOTE_TIMEOUT=0"),
    ],
)
def test_bad_openstack_settings_stop_start_up_naming_the_setting(env, named):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert named in result.stderr and "ImproperlyConfigured" in result.stderr


def test_openstack_mode_starts_with_keystones_v3_url():
    env = {**os.environ, "IMS_BACKEND": "openstack", "OS_AUTH_URL": "https://iam.eu-de.otc.t-systems.com/v3"}
    show = [sys.executable, "manage.py", "shell", "-v", "0", "-c",
            "from ims_console.backends import get_backend; print(type(get_backend()).__name__)"]
    result = subprocess.run(show, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "OpenStackBackend", result.stderr
