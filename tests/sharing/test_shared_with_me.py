from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_images_shared_with_me_explains_sharing_and_where_the_project_id_is(owner):
    html = owner.client.get(reverse("sharing:shared_with_me")).content.decode()
    assert "Images Shared with Me" in html
    assert owner.project.id in html
    assert reverse("my_credentials") in html
