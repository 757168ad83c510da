"""The console in English, German and Simplified Chinese (issue 22): every page and dialog rendered in German and in
Chinese leaves no English sentence behind, the catalogues are current and complete, the language is chosen as the
issue says (profile, cookie, Accept-Language, English) and the APIs stay English. The browser journeys and the
1280-pixel fit in each language are in tests/browser/test_languages_journey.py."""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from images.models import Image, Key
from ims_console.activity.models import Job
from ims_console.core import l10n
from ims_console.identity.models import Account, Membership, Profile, Project
from ims_console.management.commands.catalogs import incomplete
from sharing.models import ImageMember, Vault

LANGUAGES = ("de", "zh-hans")
# What the pages below type into filters (shown back as typed).
TYPED = ("no-such-image", "not-an-id")
# Words that are the same in every language: product and service names, units, formats, KMS's operation names (as
# the Chinese and German consoles keep them), and the languages' own names in the menu.
SAME_IN_EVERY_LANGUAGE = {
    "IMS", "ECS", "KMS", "CBR", "CSBS", "ISO", "GB", "KB", "MB", "ID", "API", "CSV", "UUID", "JSON", "SDK", "HMAC",
    "SDK-HMAC-SHA256", "Glance", "Linux", "Windows", "GMT", "UTC", "CTS", "IAM", "ims/default", "English", "Deutsch",
    "Decrypt", "Data", "Key", "Describe", "OK", "IMG", "YYYY-MM-DD", "credentials.csv", "Image", "Management",
    "Service", "Cloud", "Backup", "Recovery", "Huawei", "bytes", "team/prod-images", "a-f",
}


class _Visible(HTMLParser):
    """What a user reads or hears of a page: its text and its aria-label, title, placeholder and alt attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.lang = ""
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value and value.strip():
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data.strip())


def visible(html: str) -> _Visible:
    parser = _Visible()
    parser.feed(html)
    return parser


@pytest.fixture
def demo(db):
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)


def _client(username: str | None, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def _data_words() -> set[str]:
    """Every word of the embedded data (names, descriptions, OS versions, aliases, tags, IDs): never translated."""
    words: set[str] = set()
    values: list[str] = [u.username for u in User.objects.all()]
    values += [a.name for a in Account.objects.all()] + [a.id for a in Account.objects.all()]
    for project in Project.objects.all():
        values += [project.name, project.id, project.region]
    for image in Image.objects.all():
        values += [image.name, image.description, image.os_version, str(image.pk), image.disk_format,
                   *[f"{k}={v}" for k, v in (image.tags or {}).items()]]
    values += [k.alias for k in Key.objects.all()] + [str(k.pk) for k in Key.objects.all()]
    values += [v.name for v in Vault.objects.all()]
    values += [m.project_id for m in ImageMember.objects.all()] + [j.pk for j in Job.objects.all()]
    values += [m.time_zone for m in Membership.objects.all()] + [j.username for j in Job.objects.all()]
    values += [j.job_type for j in Job.objects.all()] + list(TYPED)
    for value in values:
        words |= set(re.findall(r"[A-Za-z][\w./-]*", value or ""))
        words.add(value or "")
    return words


def _pages(demo_ids: dict[str, str]) -> list[tuple[str | None, str, dict]]:
    """(user, URL, headers): every page, and every dialog as htmx asks for it."""
    dialog = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "modal"}
    own, shared, pending, key, job = (demo_ids[k] for k in ("own", "shared", "pending", "key", "job"))
    member = demo_ids["member"]
    pages: list[tuple[str | None, str, dict]] = [
        (None, "/login/", {}),
        ("alice", "/images/", {}), ("alice", "/images/?name=no-such-image", {}), ("alice", "/shared/", {}),
        ("alice", "/shared/pending/", {}), ("alice", "/shared/rejected/", {}), ("alice", "/activity/", {}),
        ("alice", f"/activity/{job}/", {}), ("alice", "/activity/?image=not-an-id", {}),
        ("alice", "/credentials/", {}), ("alice", "/credentials/access-keys/", {}),
        ("alice", "/images/keys/", {}), ("alice", f"/images/keys/{key}/", {}), ("alice", f"/images/{own}/", {}),
        ("alice", f"/images/{own}/sharing/", {}), ("alice", f"/images/{own}/activity/", {}),
        ("alice", f"/shared/images/{shared}/", {}), ("alice", f"/shared/images/{pending}/", {}),
        ("alice", "/images/00000000-0000-0000-0000-000000000000/", {}),
        ("carol", "/images/", {}), ("carol", "/shared/pending/", {}), ("carol", "/credentials/access-keys/", {}),
        ("dave", "/images/", {}), ("dave", "/shared/", {}), ("dave", "/activity/", {}),
        ("alice", f"/sharing/share/?image_id={own}", dialog),
        ("alice", f"/images/{own}/sharing/add/", dialog), ("alice", f"/images/{own}/sharing/delete/?all=1", dialog),
        ("alice", f"/images/{own}/sharing/delete/?project_id={member}", dialog),
        ("alice", f"/images/{own}/sharing/end/?project_id={member}", dialog),
        ("alice", f"/images/{own}/modify/", dialog), ("alice", f"/images/delete/?image_id={own}", dialog),
        ("alice", f"/images/{own}/replicate/", dialog), ("alice", f"/images/{own}/actions/", {}),
        ("alice", "/images/keys/create/", dialog), ("alice", f"/images/keys/{key}/grants/create/", dialog),
        ("alice", f"/shared/status/?status=accepted&image_id={pending}", dialog),
        ("alice", f"/shared/status/?status=rejected&image_id={pending}", dialog),
        ("alice", "/shared/status/?status=accepted&all=1", dialog),
        ("alice", "/credentials/access-keys/create/", dialog),
    ]
    return pages


def _demo_ids() -> dict[str, str]:
    alice_project = Project.objects.get(name="eu-de_acme")
    own = Image.objects.filter(project=alice_project, members__isnull=False).distinct().order_by("name").first()
    member = ImageMember.objects.filter(image=own).order_by("project_id").first()
    shared = ImageMember.objects.filter(project_id=alice_project.id, status="accepted").first()
    pending = ImageMember.objects.filter(project_id=alice_project.id, status="pending").first()
    key = Key.objects.filter(project=alice_project).exclude(alias="ims/default").first()
    job = Job.objects.filter(project_id=alice_project.id).order_by("-begin_time").first()
    assert own and member and shared and pending and key and job, "the demo data has each kind of thing"
    return {"own": str(own.pk), "member": member.project_id, "shared": str(shared.image_id),
            "pending": str(pending.image_id), "key": str(key.pk), "job": job.pk}


def _english_msgids() -> dict[str, str]:
    """English sentence -> its German translation, from the catalogue itself."""
    from pathlib import Path

    from django.conf import settings

    catalogue: dict[str, str] = {}
    text = (Path(settings.BASE_DIR) / "locale/de/LC_MESSAGES/django.po").read_text()
    for msgid, msgstr in re.findall(r'\nmsgid "(.+?)"\nmsgstr "(.+?)"\n', text):
        catalogue[msgid.replace('\\"', '"')] = msgstr.replace('\\"', '"')
    return catalogue


def _english_left(texts: list[str], language: str, english: dict[str, str], data: set[str]) -> list[str]:
    """The texts that are still English: in German a sentence of the English catalogue; in Chinese, which shares no
    words with English, any Latin word that is not data, a name or the visible end of a shortened hex ID."""
    left = []
    for text in texts:
        if language == "zh-hans":
            # Hex IDs and their shortened ends ("8fe84d0f…0fca") are data, not words: "fca" is no English.
            unhexed = re.sub(r"[0-9a-f]{4,}…[0-9a-f]{2,}", " ", text)
            words = [w for w in re.findall(r"[A-Za-z][\w./-]*", unhexed, re.ASCII)
                     if w not in data and not re.search(r"\d", w) and len(w) > 1
                     and not re.fullmatch(r"[0-9a-f]{4,}", w)]
            if words:
                left.append(f"{text!r} ({', '.join(words)})")
        elif text in english and english[text] != text:
            left.append(repr(text))
    return left


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_and_dialog_leaves_no_english_behind(demo, language):
    ids = _demo_ids()
    data = _data_words() | SAME_IN_EVERY_LANGUAGE
    english = _english_msgids()
    untranslated: list[str] = []
    for username, url, headers in _pages(ids):
        response = _client(username, language).get(url, **headers)
        assert response.status_code in (200, 400, 404), f"{url}: {response.status_code}"
        page = visible(response.content.decode())
        if not headers:
            assert page.lang == language, f"{url} says <html lang={page.lang!r}>"
        untranslated += [f"{url}: {left}" for left in _english_left(page.texts, language, english, data)]
    assert not untranslated, "English left in {}:\n{}".format(language, "\n".join(dict.fromkeys(untranslated)))


def _refusals(demo_ids: dict[str, str]) -> list[tuple[str, str, dict]]:
    """(user, URL, form): a refused submission of each dialog that has a form of its own, as htmx sends it."""
    own, key = demo_ids["own"], demo_ids["key"]
    return [
        ("alice", f"/images/{own}/modify/", {"name": "", "description": ""}),
        ("alice", f"/images/{own}/modify/", {"name": "no/slash", "description": "<b>"}),
        ("alice", f"/images/{own}/replicate/", {"name": "", "description": "", "key_id": ""}),
        ("alice", "/sharing/share/", {"image_id": own, "project_ids": "", "tab": "share"}),
        *(("alice", "/sharing/share/", {"image_id": own, "project_ids": demo_ids["member"], "tab": "share",
                                        "expires_on": day}) for day in ("someday", "2000-01-01", "2099-01-01")),
        ("alice", "/images/keys/create/", {"alias": ""}),
        ("alice", f"/images/keys/{key}/grants/create/", {"account_id": "not-an-account"}),
        ("carol", f"/images/{own}/modify/", {"name": "read-only", "description": ""}),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_dialogs_refusal_leaves_no_english_behind(demo, language):
    """Form errors come from Python (form fields' messages, IMS refusals): each one said in the user's language."""
    ids = _demo_ids()
    english = _english_msgids()
    data = _data_words() | SAME_IN_EVERY_LANGUAGE
    before = (Image.objects.order_by("pk").values_list("name", "description").first(), Key.objects.count())
    untranslated: list[str] = []
    for username, url, form in _refusals(ids):
        response = _client(username, language).post(url, form, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="modal")
        assert response.status_code in (200, 400, 403, 404), f"{url}: {response.status_code}"
        assert "HX-Trigger" not in response, f"{url} took {form} as done"
        texts = visible(response.content.decode()).texts
        untranslated += [f"{url} {form}: {left}"
                         for left in _english_left(texts, language, english, data | set(form.values()))]
    assert not untranslated, "English left in {}:\n{}".format(language, "\n".join(dict.fromkeys(untranslated)))
    assert (Image.objects.order_by("pk").values_list("name", "description").first(), Key.objects.count()) == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refusal_is_in_the_users_language_with_imss_code_and_the_value_it_names(demo, language):
    own = _demo_ids()["own"]
    before = ImageMember.objects.count()
    response = _client("alice", language).post(
        "/sharing/share/", {"image_id": own, "project_ids": "not-a-project", "tab": "share"}, HTTP_HX_REQUEST="true"
    )
    text = " ".join(visible(response.content.decode()).texts)
    assert "IMG.0067" in text and "not-a-project" in text
    expected = {"de": "ist keine Projekt-ID", "zh-hans": "不是项目ID"}[language]
    assert expected in text
    assert ImageMember.objects.count() == before


def test_dates_and_numbers_follow_the_language(demo):
    image = Image.objects.filter(project__name="eu-de_acme").order_by("-created_at").first()
    assert image is not None
    with translation.override("de"):
        from ims_console.templatetags.ims import count_label, ims_time

        local = image.created_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
        with __import__("django.utils.timezone", fromlist=["override"]).override("Europe/Berlin"):
            assert f">{local:%d.%m.%Y %H:%M}<" in ims_time(image.created_at)
        assert (l10n.number(1234), count_label(1001)) == ("1.234", "mehr als 1.000")
    with translation.override("zh-hans"), __import__("django.utils.timezone", fromlist=["override"]).override("Europe/Berlin"):
        assert f">{local:%Y/%m/%d %H:%M}<" in ims_time(image.created_at)
    with translation.override("en"), __import__("django.utils.timezone", fromlist=["override"]).override("Europe/Berlin"):
        assert f">{local:%Y-%m-%d %H:%M}<" in ims_time(image.created_at)
        assert (l10n.number(1234), count_label(1001)) == ("1,234", "more than 1,000")


def test_sizes_have_the_languages_decimal_separator():
    from django.template.defaultfilters import filesizeformat

    size = 3 * 1024**3 + 512 * 1024**2
    expected = {"en": "3.5\xa0GB", "de": "3,5\xa0GB", "zh-hans": "3.5\xa0GB"}
    for language, text in expected.items():
        with translation.override(language):
            assert filesizeformat(size) == text


def test_plurals_are_right_in_german_and_chinese_has_none():
    from ims_console.core.l10n import images_count

    with translation.override("de"):
        assert (images_count(1), images_count(2)) == ("1 Image", "2 Images")
    with translation.override("zh-hans"):
        assert (images_count(1), images_count(2)) == ("1 个镜像", "2 个镜像")


def test_a_page_in_german_costs_no_query_more_than_in_english(demo):
    counts = {}
    for language in ("en", "de", "zh-hans"):
        client = _client("alice", language)
        client.get("/images/")  # the session and caches are warm
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/images/").status_code == 200
        counts[language] = len(queries)
    assert counts["de"] == counts["en"] == counts["zh-hans"]


# ---- Choosing the language.

def test_without_a_choice_the_browsers_accept_language_decides_and_english_otherwise(db):
    german = Client(HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5").get("/login/")
    assert 'lang="de"' in german.content.decode() and "Bei der IMS-Konsole anmelden" in german.content.decode()
    assert german["Content-Language"] == "de" and "Accept-Language" in german["Vary"]
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").get("/login/")
    assert 'lang="zh-hans"' in chinese.content.decode() and "登录 IMS控制台" in chinese.content.decode()
    other = Client(HTTP_ACCEPT_LANGUAGE="fr-FR").get("/login/")
    assert 'lang="en"' in other.content.decode() and "Log in to IMS Console" in other.content.decode()


def test_a_visitors_choice_is_kept_in_a_cookie_and_beats_the_browsers(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/language/", {"language": "de", "next": "/login/?next=/shared/"})
    assert response.status_code == 302 and response["Location"] == "/login/?next=/shared/"
    assert response.cookies["ims_language"].value == "de"
    assert "Bei der IMS-Konsole anmelden" in client.get("/login/").content.decode()
    assert not Profile.objects.exists()


def test_a_users_choice_follows_them_to_another_browser(demo):
    first = _client("alice", "en")
    first.post("/language/", {"language": "zh-hans", "next": "/images/"})
    assert Profile.objects.get(user__username="alice").language == "zh-hans"
    assert "私有镜像" in first.get("/images/").content.decode()
    # Another browser, which asks for German: the profile wins once alice logs in there.
    second = Client(HTTP_ACCEPT_LANGUAGE="de")
    assert "Bei der IMS-Konsole anmelden" in second.get("/login/").content.decode()
    response = second.post("/login/", {"username": "alice", "password": "ims-demo"}, follow=True)
    assert 'lang="zh-hans"' in response.content.decode() and "私有镜像" in response.content.decode()


def test_a_choice_made_on_the_login_page_is_kept_for_a_user_without_one(demo):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/language/", {"language": "de", "next": "/login/"})
    client.post("/login/", {"username": "bob", "password": "ims-demo"})
    assert Profile.objects.get(user__username="bob").language == "de"


def test_a_read_only_user_may_choose_their_own_language(demo):
    carol = _client("carol", "en")
    assert carol.post("/language/", {"language": "de", "next": "/images/"}).status_code == 302
    assert Profile.objects.get(user__username="carol").language == "de"


@pytest.mark.parametrize("language,next_url", [("xx", "/images/"), ("", "/images/"), ("de", "https://evil.example/")])
def test_an_unknown_language_or_a_foreign_next_changes_nothing_or_goes_home(demo, language, next_url):
    client = _client("alice", "en")
    response = client.post("/language/", {"language": language, "next": next_url})
    assert response.status_code == 302 and response["Location"] in ("/images/", "/")
    if language != "de":
        assert "ims_language" not in response.cookies and not Profile.objects.exists()


def test_the_language_menu_answers_only_post(db):
    assert Client().get("/language/?language=de").status_code == 405


def test_every_page_has_the_language_menu_with_each_language_named_in_itself(demo):
    for username, url in ((None, "/login/"), ("alice", "/images/")):
        html = _client(username, "de").get(url).content.decode()
        for code, name in (("en", "English"), ("de", "Deutsch"), ("zh-hans", "简体中文")):
            assert f'value="{code}" lang="{code}"' in html and f">{name}</button>" in html


def test_the_apis_answer_in_english_whatever_the_client_asks(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="de").post(
        "/v3/auth/tokens", data={"auth": {}}, content_type="application/json"
    )
    assert response.status_code in (400, 401)
    assert response["Content-Language"] == "en"
    body = response.content.decode()
    assert re.search(r"[A-Za-z]{4,}", body) and not re.search(r"[äöüß]", body)


def test_the_javascript_catalog_serves_each_language_and_no_other(db):
    german = Client().get("/jsi18n/de/")
    assert german.status_code == 200 and "Kopiert" in german.content.decode()
    assert "max-age=86400" in german["Cache-Control"]
    chinese = Client().get("/jsi18n/zh-hans/").content.decode()
    assert json.dumps("已复制") in chinese and "selected option" not in chinese  # the console's strings, not the admin's
    assert Client().get("/jsi18n/xx/").status_code == 404


def test_console_js_has_no_english_words_a_user_reads():
    from pathlib import Path

    from django.conf import settings

    source = (Path(settings.BASE_DIR) / "static/js/console.js").read_text()
    shown = re.findall(r"textContent\s*=\s*([^;]+);", source)
    assert shown, "console.js sets texts"
    for expression in shown:
        # Words come from gettext/ngettext; a template literal may only put numbers and punctuation around them.
        outside = re.sub(r'n?gettext\("[^"]*"(, "[^"]*")?', "", expression)
        literals = re.findall(r'"([^"]*)"|`([^`]*)`', outside)
        for quoted in ("".join(parts) for parts in literals):
            assert not re.search(r"[A-Za-z]{2,}", re.sub(r"\$\{\w+\}", "", quoted)), expression


def test_the_activity_export_is_headed_and_worded_in_the_users_language(demo):
    response = _client("alice", "de").get("/activity/export.csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("Zeit,Auftrags-ID,Aktion,Benutzer,Status,Image-ID")
    assert any(",Erfolgreich," in line for line in lines[1:])


def test_embedded_data_is_never_translated(demo):
    image = Image.objects.filter(project__name="eu-de_acme").order_by("name").first()
    assert image is not None
    html = _client("alice", "zh-hans").get(f"/images/?name={image.name}").content.decode()
    assert image.name in html


# ---- The catalogues.

@pytest.mark.skipif(not shutil.which("xgettext") or not shutil.which("msgfmt"), reason="GNU gettext is installed by make")
def test_the_catalogues_are_current_complete_and_compiled():
    """makemessages would change nothing, no entry is untranslated or fuzzy, and the .mo files are what the .po
    files compile to (so `make run` serves them on a machine without gettext)."""
    call_command("catalogs", check=True)


def test_the_completeness_check_finds_an_untranslated_and_a_fuzzy_entry(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n\n'
        'msgid "Share"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Accept"\nmsgstr "Annehmen"\n\n'
        'msgid "%(count)s image"\nmsgid_plural "%(count)s images"\nmsgstr[0] "%(count)s Image"\nmsgstr[1] ""\n\n'
        'msgid "Reject"\nmsgstr "Ablehnen"\n'
    )
    assert incomplete(po) == ["untranslated: 'Share'", "fuzzy: 'Accept'", "untranslated: '%(count)s image'"]
