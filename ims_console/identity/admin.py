"""The admin site's pages for accounts, their projects and memberships (operators only; the console never links
here)."""

from __future__ import annotations

from django.contrib import admin

from ims_console.identity.models import Account, Membership, Project


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "id"]
    search_fields = ["name", "id"]
    inlines = [ProjectInline]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "account", "id"]
    list_filter = ["region"]
    search_fields = ["name", "id", "account__name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "role", "time_zone"]
    list_filter = ["role", "account"]
    search_fields = ["user__username", "account__name"]
