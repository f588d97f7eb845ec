"""The statistics in the admin's menu: "Statistics › Dashboard" opens the charts
(stats.views); the aggregates themselves are never edited by hand."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from stats.models import DailyPath


@admin.register(DailyPath)
class DashboardEntry(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return HttpResponseRedirect(reverse("stats:dashboard"))
