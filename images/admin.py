from __future__ import annotations

from django.contrib import admin

from images.models import Image, Key, KeyGrant


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "status", "image_type", "os_type", "created_at"]
    list_filter = ["status", "image_type", "os_type", "project__region"]
    search_fields = ["name", "id", "project__name"]
    list_select_related = ["project"]


class KeyGrantInline(admin.TabularInline):
    model = KeyGrant
    extra = 0


@admin.register(Key)
class KeyAdmin(admin.ModelAdmin):
    list_display = ["alias", "project", "is_default", "state"]
    inlines = [KeyGrantInline]
