from __future__ import annotations

import json

import pytest
from django.urls import reverse

from images.models import Image
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true", "HX-Target": "modal"}


@pytest.fixture
def image(owner):
    return ImageFactory(project=owner.project, name="web-01", description="old")


def url(image) -> str:
    return reverse("images:modify", args=[image.id])


def test_the_dialog_is_prefilled_with_the_current_name_and_description(owner, image):
    html = owner.client.get(url(image), headers=HTMX).content.decode()
    assert 'id="modal-title">Modify Image<' in html
    assert 'value="web-01"' in html and ">old</textarea>" in html
    assert "<html" not in html


def test_without_javascript_the_dialog_is_a_page_of_its_own(owner, image):
    html = owner.client.get(url(image)).content.decode()
    assert "<html" in html and 'role="dialog"' in html and "Modify Image" in html


def test_a_valid_change_is_saved_and_the_list_is_told_to_refresh(owner, image):
    response = owner.client.post(url(image), {"name": "web 01_v2.final-x", "description": "new text"}, headers=HTMX)
    assert response.status_code == 200
    assert "images-changed" in json.loads(response["HX-Trigger"])
    assert "web 01_v2.final-x" in response.content.decode()
    image.refresh_from_db()
    assert (image.name, image.description) == ("web 01_v2.final-x", "new text")


def test_without_javascript_a_valid_change_redirects_to_the_details_with_a_message(owner, image):
    response = owner.client.post(url(image), {"name": "renamed", "description": ""}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("images:detail", args=[image.id])
    assert "Image “renamed” was modified." in response.content.decode()


def test_unicode_letters_are_letters(owner, image):
    owner.client.post(url(image), {"name": "Überprüfung-镜像", "description": ""})
    image.refresh_from_db()
    assert image.name == "Überprüfung-镜像"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "description": ""}, "Enter a name."),
        ({"name": "   ", "description": ""}, "Enter a name."),
        ({"name": "web/01", "description": ""}, "“web/01” contains &#x27;/&#x27;, which a name cannot contain"),
        ({"name": "a<b>@c", "description": ""}, "contains &#x27;&lt;&#x27; &#x27;&gt;&#x27; &#x27;@&#x27;"),
        ({"name": "x" * 129, "description": ""}, '<code class="code">IMG.0002</code> The name is 129 characters long; at most 128 are allowed.'),
        ({"name": "ok", "description": "d" * 1025}, '<code class="code">IMG.0004</code> The description is 1,025 characters long; at most 1,024 are allowed.'),
    ],
)
def test_bad_input_is_refused_at_the_field_naming_the_value_and_nothing_changes(owner, image, data, message):
    response = owner.client.post(url(image), data, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    # The message (with IMS's code, if the rule is IMS's) is in the error list of the input it concerns.
    field = "description" if "description" in message else "name"
    errors = html.split(f'id="id_{field}-error"', 1)[1].split("</ul>", 1)[0]
    assert message in errors
    assert 'aria-invalid="true"' in html
    assert "HX-Trigger" not in response
    image.refresh_from_db()
    assert (image.name, image.description) == ("web-01", "old")


def test_exactly_128_characters_and_1024_of_description_are_accepted(owner, image):
    owner.client.post(url(image), {"name": "n" * 128, "description": "d" * 1024})
    assert Image.objects.get(pk=image.pk).name == "n" * 128
