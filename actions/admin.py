from django.contrib import admin

from actions.models import Action, ActionUpdate, PlanAgreement


class ActionUpdateInline(admin.TabularInline):
    model = ActionUpdate
    fields = ["text", "status", "author", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "place", "status", "due_date"]
    list_filter = ["status", "place"]
    search_fields = ["title", "description", "place__name"]
    filter_horizontal = ["owners"]
    raw_id_fields = ["cycle", "conditions", "statements"]
    readonly_fields = ["reminded_for"]
    inlines = [ActionUpdateInline]


@admin.register(PlanAgreement)
class PlanAgreementAdmin(admin.ModelAdmin):
    list_display = ["cycle", "agreed_on", "agreed_by"]
    raw_id_fields = ["cycle", "agreed_by"]
