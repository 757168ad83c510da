"""Settings of the reference server for `make bench`: the console's database, sessions and templates, but Django's
own default middleware and a URLconf with one bare page. The console's pages are measured against it."""

from __future__ import annotations

from ims_console.settings import *  # noqa: F403 - the reference shares everything else with the console

ROOT_URLCONF = "ims_console.bench.urls"
# What `django-admin startproject` gives a new project.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES[0]["OPTIONS"]["context_processors"] = [  # type: ignore[index]  # noqa: F405
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
]
