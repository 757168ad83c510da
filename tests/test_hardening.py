"""Hostile and oversized input, login throttling, audit completeness, safe defaults (issue 8, items 4 to 7)."""

from __future__ import annotations

import io
import logging
import re
import uuid

import pytest
from django.contrib.auth import base_user
from django.test import Client, override_settings
from django.urls import reverse

from images.models import Image, Key
from ims_console.activity.models import Job, Trace
from ims_console.web.middleware import OneLineRefusals
from sharing.models import ImageMember
from tests.factories import PASSWORD, ImageFactory, KeyFactory, MembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db
SHARE = reverse("sharing:share")
DELETE = reverse("images:delete")
LOGIN = reverse("login")
HTMX = {"HX-Request": "true", "HX-Target": "modal"}


def written() -> tuple:
    return (ImageMember.objects.count(), Job.objects.count(), Trace.objects.count(), Image.objects.count())


# ---- 4. Oversized input is refused early and cheaply.

def test_a_hundred_thousand_project_ids_are_refused_with_one_message_and_nothing_else_checked(owner):
    image = ImageFactory(project=owner.project)
    before = written()
    text = "\n".join(uuid.uuid4().hex for _ in range(6_000))  # about 200 KB, under the body cap
    response = owner.client.post(SHARE, {"image_id": image.id, "project_ids": text}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "6,000 project IDs were entered (after removing duplicates); at most 100 can be shared" in html
    assert html.count("<li>") == 1
    assert "cannot be found" not in html
    # The answer echoes the text box (so it can be corrected) and one line, nothing per ID.
    assert len(response.content) < len(text) + 20_000
    assert written() == before


def test_a_request_body_over_the_cap_is_a_400_that_says_so(owner):
    image = ImageFactory(project=owner.project)
    before = written()
    response = owner.client.post(SHARE, {"image_id": image.id, "project_ids": "a" * 300_000})
    assert response.status_code == 400
    assert "The request is too large: the console accepts at most 256 KB." in response.content.decode()
    assert written() == before


def test_a_hundred_unknown_projects_are_one_line_naming_every_id(owner):
    image = ImageFactory(project=owner.project)
    ids = [uuid.uuid4().hex for _ in range(100)]
    html = owner.client.post(SHARE, {"image_id": image.id, "project_ids": ",".join(ids)}, headers=HTMX).content.decode()
    assert html.count("<li>") == 1
    assert "Projects that cannot be found in the current region (eu-de; images are shared only inside their region) (100)" in html
    assert all(i in html for i in ids)
    assert ImageMember.objects.count() == 0


@pytest.mark.parametrize("url", [SHARE, DELETE])
def test_a_hundred_ticked_rows_open_the_dialog_by_post_and_change_nothing(owner, url):
    images = ImageFactory.create_batch(100, project=owner.project)
    before = written()
    data = {"open": "1", "image_id": [str(i.pk) for i in images]}
    for headers in (HTMX, {}):
        response = owner.client.post(url, data, headers=headers)
        assert response.status_code == 200
        html = response.content.decode()
        assert all(i.name in html for i in images)
    assert written() == before


def test_an_oversized_search_falls_back_to_the_whole_list(owner):
    ImageFactory(project=owner.project, name="web")
    response = owner.client.get(reverse("images:private"), {"name": "x" * 10_000, "page_size": "9" * 50})
    assert response.status_code == 200
    assert ">web<" in response.content.decode()


# ---- 5. Login throttling.

@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    """Counts password hashing: a locked-out attempt must cost none."""
    calls: list[str] = []
    check, make = base_user.check_password, base_user.make_password  # type: ignore[attr-defined]

    def counted(name, real):
        def call(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(base_user, "check_password", counted("check", check))
    monkeypatch.setattr(base_user, "make_password", counted("make", make))
    return calls


def log_in(client: Client, username: str, password: str, url: str = LOGIN, ip: str = "198.51.100.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_user_name_even_for_the_right_one_without_hashing(owner, hashes):
    client = Client()
    for _ in range(4):
        response = log_in(client, owner.user.username, "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    assert log_in(client, owner.user.username, "wrong").status_code == 429
    hashes.clear()
    response = log_in(client, owner.user.username, PASSWORD, ip="198.51.100.2")
    assert response.status_code == 429
    assert "Too many failed log-ins for this user name or from this address" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert hashes == []


def test_failures_from_one_address_lock_that_address_for_every_user(owner):
    client = Client()
    for n in range(5):
        log_in(client, f"nobody-{n}", "wrong", ip="198.51.100.9")
    assert log_in(client, owner.user.username, PASSWORD, ip="198.51.100.9").status_code == 429
    assert log_in(Client(), owner.user.username, PASSWORD, ip="198.51.100.10").status_code == 302


def test_unknown_users_and_wrong_passwords_get_the_same_words(owner):
    def page(username: str, ip: str) -> str:
        html = log_in(Client(), username, "wrong", ip=ip).content.decode()
        # Per-response tokens (CSP nonce, CSRF token) differ by design; everything else must not.
        return re.sub(r"[\w-]{20,}", "", html.replace(username, "USER"))

    assert page("no-such-user", "198.51.100.20") == page(owner.user.username, "198.51.100.21")


def test_the_admin_login_is_throttled_too(db):
    staff = MembershipFactory().user
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client = Client()
    for _ in range(5):
        log_in(client, staff.username, "wrong", url="/admin/login/")
    assert log_in(client, staff.username, PASSWORD, url="/admin/login/").status_code == 429


# ---- 6. Audit and jobs are complete and honest.

def test_modify_writes_a_job_and_an_update_image_trace(owner):
    image = ImageFactory(project=owner.project, name="old")
    owner.client.post(reverse("images:modify", args=[image.pk]), {"name": "new", "description": ""}, REMOTE_ADDR="192.0.2.5")
    job = Job.objects.get()
    trace = Trace.objects.get()
    assert (job.job_type, job.status) == ("imsUpdateImageJob", "SUCCESS")
    assert (trace.name, trace.resource_id, trace.result, trace.job_id, trace.source_ip) == (
        "updateImage", str(image.pk), "success: name changed", job.id, "192.0.2.5",
    )


def test_an_unknown_key_state_is_a_400_that_changes_nothing(owner):
    key = KeyFactory(project=owner.project)
    response = owner.client.post(reverse("images:key_state", args=[key.pk]), {"state": "bogus"})
    assert response.status_code == 400
    assert "State “bogus” is not one of enabled, disabled." in response.content.decode()
    assert Key.objects.get(pk=key.pk).state == "enabled"
    assert not Trace.objects.exists()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "recorded"),
    [
        (0, "203.0.113.7", "10.0.0.2"),  # no trusted proxy: the header is anyone's to send
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # a client's own X-Forwarded-For entry is not believed
        (2, "203.0.113.7", "10.0.0.2"),  # fewer entries than proxies: not through the proxies
    ],
)
def test_traces_record_the_client_address_through_trusted_proxies_only(owner, proxies, forwarded, recorded):
    image = ImageFactory(project=owner.project, name="old")
    with override_settings(IMS_TRUSTED_PROXIES=proxies):
        owner.client.post(
            reverse("images:modify", args=[image.pk]), {"name": "new", "description": ""},
            REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded,
        )
    assert Trace.objects.get().source_ip == recorded


# ---- 7. Safe defaults and small leaks.

def test_signed_in_pages_are_not_cached(owner):
    response = owner.client.get(reverse("images:private"))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("url", ["/admin/auth/user/?is_staff__exact=%00", "/images/?name=a%00b"])
def test_a_nul_byte_in_a_query_parameter_is_a_400(owner, url):
    owner.user.is_staff = owner.user.is_superuser = True
    owner.user.save()
    response = owner.client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_byte_in_a_form_field_is_a_400_that_changes_nothing(owner):
    image = ImageFactory(project=owner.project, name="old")
    response = owner.client.post(reverse("images:modify", args=[image.pk]), {"name": "a\x00b", "description": ""})
    assert response.status_code == 400
    assert Image.objects.get(pk=image.pk).name == "old"


def test_an_unknown_url_shows_the_consoles_own_404_page(owner):
    response = owner.client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is nothing here in your current project." in html
    assert "URLconf" not in html


def test_a_read_only_refusal_is_one_log_line_without_a_traceback(readonly):
    image = ImageFactory(project=readonly.project)
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, OneLineRefusals) for f in h.filters))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        readonly.client.post(reverse("images:modify", args=[image.pk]), {"name": "x"})
    finally:
        handler.setStream(previous)
    lines = [line for line in stream.getvalue().splitlines() if line]
    assert lines == [f"Forbidden (Permission denied): /images/{image.pk}/modify/"]


def test_a_server_error_shows_the_consoles_own_500_page():
    from django.test import RequestFactory

    from ims_console.web.views import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.parametrize("language,words", [("en", "cannot reach its database"), ("de", "erreicht ihre Datenbank"),
                                            ("zh-hans", "无法连接其数据库")])
def test_a_database_that_cannot_be_reached_is_a_503_in_the_users_language(language, words):
    """What Django's handler is given while the database is down (tests/test_fleet_faults.py stops a real one): the
    page, the dialog's answer for htmx, and the APIs' JSON."""
    from django.db import OperationalError
    from django.test import RequestFactory
    from django.utils import translation

    from ims_console.web.views import server_error

    factory = RequestFactory()
    with translation.override(language):
        try:
            raise OperationalError("connection failed: server closed the connection unexpectedly")
        except OperationalError:
            page = server_error(factory.get("/images/"))
            dialog = server_error(factory.post("/sharing/share/", HTTP_HX_REQUEST="true"))
            api = server_error(factory.get("/v2/images"))
    assert page.status_code == dialog.status_code == api.status_code == 503
    assert words in page.content.decode() and f'<html lang="{language}">' in page.content.decode()
    assert words in dialog.content.decode() and dialog["HX-Retarget"] == "#modal" and "<html" not in dialog.content.decode()
    assert api["Content-Type"] == "application/json" and page["Retry-After"] == "30"


# ---- Found by probing the production server (issue 18, point 4). The fourth, a former recipient learning an image's
# new name from Activity, is tests/ims_console/activity/test_activity_names.py.

@pytest.mark.parametrize("target", ["-1", "images", "images:private", "//evil.example/", "javascript:alert(1)",
                                    "\\\\evil.example", " /images/", "", "https://testserver/images/"])
def test_a_project_switch_whose_next_is_not_a_local_path_goes_to_private_images(owner, target):
    """Not a 500 (a bare word was taken for a URL name: NoReverseMatch), never off the console."""
    nl = ProjectFactory(account=owner.account, region="eu-nl")
    response = owner.client.post(reverse("project_switch"), {"project": nl.id, "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("images:private")


def test_a_project_switch_keeps_a_local_next_with_its_query(owner):
    target = reverse("sharing:shared_pending") + "?name=web&page_size=50"
    response = owner.client.post(reverse("project_switch"), {"project": owner.project.id, "next": target})
    assert response["Location"] == target


@pytest.mark.parametrize("url", [LOGIN, "/admin/login/"])
def test_an_over_long_user_name_is_a_wrong_login_that_still_counts(owner, hashes, url):
    """A 256-character name once reached django-axes' 255-character column: a 500 on PostgreSQL. It is refused as
    any wrong login, without a password being hashed, and it counts towards the address's limit."""
    client = Client()
    for n in range(4):
        response = log_in(client, f"{n}{'u' * 299}", "wrong", url=url, ip="198.51.100.77")
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()
    assert hashes == []
    # The fifth failure from that address locks it, for the right password too.
    assert log_in(client, "5" + "u" * 299, "wrong", url=url, ip="198.51.100.77").status_code == 429
    assert log_in(client, owner.user.username, PASSWORD, url=url, ip="198.51.100.77").status_code == 429
    assert log_in(Client(), owner.user.username, PASSWORD, ip="198.51.100.78").status_code == 302


def test_a_user_name_of_the_longest_allowed_length_is_checked_as_usual(db, hashes):
    name = "n" * 150
    response = log_in(Client(), name, "wrong", ip="198.51.100.79")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert hashes  # a name that can exist is checked (its password hashed), so timing tells nothing


def _security_headers(response) -> dict[str, str]:
    return {name: response.get(name, "") for name in (
        "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
    )}


@pytest.mark.parametrize("case", ["bad host", "body too large", "nul byte", "not found", "denied"])
def test_every_error_page_carries_the_headers_of_a_normal_page(owner, readonly, case):
    image = ImageFactory(project=owner.project)
    normal = _security_headers(owner.client.get(reverse("images:private")))
    assert "frame-ancestors 'none'" in normal["Content-Security-Policy"] and normal["X-Frame-Options"] == "DENY"
    modify = reverse("images:modify", args=[image.pk])
    if case == "bad host":
        response = Client().get(reverse("images:private"), HTTP_HOST="evil.example")
    elif case == "body too large":
        response = owner.client.post(modify, {"name": "x", "description": "d" * 1_048_576})
    elif case == "nul byte":
        response = owner.client.get("/images/?name=a%00b")
    elif case == "not found":
        response = owner.client.get("/no/such/page/")
    else:
        response = readonly.client.post(modify, {"name": "x"})
    assert response.status_code in (400, 403, 404)
    assert _security_headers(response) == normal
    assert Image.objects.get(pk=image.pk).name == image.name
