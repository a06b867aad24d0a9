from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from assessments.models import (
    ANSWER_SCALE,
    Condition,
    Cycle,
    Invitation,
    QuestionBank,
    Statement,
)


def _bank_is_published(obj) -> bool:
    if obj is None:
        return False
    bank = obj if isinstance(obj, QuestionBank) else getattr(obj, "bank", None)
    if bank is None and isinstance(obj, Statement):
        bank = obj.condition.bank
    return bool(bank and bank.is_published)


class ReadOnlyWhenPublishedMixin:
    """Published banks, and everything in them, show read-only: no edit, no delete."""

    def has_change_permission(self, request, obj=None):
        if _bank_is_published(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if _bank_is_published(obj):
            return False
        return super().has_delete_permission(request, obj)


class InlineReadOnlyWhenPublishedMixin:
    def has_add_permission(self, request, obj=None):
        return not _bank_is_published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _bank_is_published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _bank_is_published(obj) and super().has_delete_permission(request, obj)


class ConditionInline(InlineReadOnlyWhenPublishedMixin, admin.TabularInline):
    model = Condition
    fields = ["order", "key", "name", "comment_prompt"]
    extra = 0
    show_change_link = True
    ordering = ["order", "pk"]


class StatementInline(InlineReadOnlyWhenPublishedMixin, admin.TabularInline):
    model = Statement
    # The wording beside the flags that change how it is scored and who is asked, all in view.
    fields = ["order", "key", "text", "reverse_keyed", "routed", "help_text"]
    extra = 1
    ordering = ["order", "pk"]
    classes = ["statement-inline"]
    # Statements run to 300 characters: a textarea shows them whole, not a cut-off line.
    formfield_overrides = {
        models.CharField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 40})},
        models.SlugField: {"widget": forms.TextInput(attrs={"size": 18})},
    }


@admin.register(QuestionBank)
class QuestionBankAdmin(ReadOnlyWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["name", "version", "status", "condition_count", "published_at", "preview_link"]
    list_filter = ["status", "name"]
    search_fields = ["name"]
    readonly_fields = ["status", "published_at", "created_at"]
    change_form_template = "admin/assessments/questionbank/change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "version", "description", "status", "published_at"]}),
        (
            "Collaboration spectrum question",
            {
                "fields": [
                    "spectrum_prompt",
                    "spectrum_help",
                    "spectrum_cooperation",
                    "spectrum_partnership",
                    "spectrum_weak",
                    "spectrum_strong",
                ]
            },
        ),
        (
            "Where we need to be (optional second question)",
            {"fields": ["target_prompt", "target_help"]},
        ),
    ]
    inlines = [ConditionInline]
    actions = ["copy_as_new_draft", "publish_banks"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_conditions=Count("conditions"))

    @admin.display(description="conditions", ordering="n_conditions")
    def condition_count(self, obj):
        return obj.n_conditions

    @admin.display(description="preview")
    def preview_link(self, obj):
        url = reverse("admin:assessments_questionbank_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview questionnaire</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:bank_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="assessments_questionbank_preview",
            ),
            path(
                "<int:bank_id>/copy/",
                self.admin_site.admin_view(require_POST(self.copy_view)),
                name="assessments_questionbank_copy",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        bank = self.get_object(request, object_id)
        extra = {"bank": bank, "draft_copy": bank.draft_copy() if bank else None}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def preview_view(self, request, bank_id: int):
        bank = get_object_or_404(QuestionBank, pk=bank_id)
        if not self.has_view_permission(request, bank):
            raise PermissionDenied
        conditions = bank.conditions.prefetch_related("statements")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Preview: {bank}",
            "bank": bank,
            "conditions": conditions,
            "routing": any(s.routed for c in conditions for s in c.statements.all()),
            "scale": ANSWER_SCALE,
        }
        return TemplateResponse(request, "admin/assessments/questionbank/preview.html", context)

    def copy_view(self, request, bank_id: int):
        """Copy as new draft from the bank's page; an existing draft copy is offered instead."""
        bank = get_object_or_404(QuestionBank, pk=bank_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        draft = self._copy_once(request, bank)
        return redirect("admin:assessments_questionbank_change", draft.pk)

    def _copy_once(self, request, bank: QuestionBank) -> QuestionBank:
        """The new draft copy of `bank`; or, if one exists already, that one, with a message
        saying so (two drafts of one bank would be edited apart and published twice)."""
        with transaction.atomic():
            # Under the bank's row lock, so two clicks at once cannot both make a copy.
            QuestionBank.objects.select_for_update().filter(pk=bank.pk).first()
            existing = bank.draft_copy()
            if existing is None:
                copy = bank.copy_as_draft()
                self.message_user(
                    request,
                    f"Created {copy}. Edit it here, preview it, then publish it.",
                    messages.SUCCESS,
                )
                return copy
        self.message_user(
            request,
            f"{bank} already has a draft copy: {existing}. No second copy was made; "
            "edit this one, or delete it first to start again.",
            messages.WARNING,
        )
        return existing

    @admin.action(description="Copy as new draft version")
    def copy_as_new_draft(self, request, queryset):
        for bank in queryset:
            self._copy_once(request, bank)

    @admin.action(description="Publish (freezes the bank for good)")
    def publish_banks(self, request, queryset):
        for bank in queryset:
            if bank.is_published:
                self.message_user(request, f"{bank} is already published.", messages.WARNING)
                continue
            try:
                with transaction.atomic():
                    bank.publish()
            except ValueError as error:
                self.message_user(request, f"{bank} was not published: {error}", messages.ERROR)
            else:
                self.message_user(request, f"Published {bank}.", messages.SUCCESS)


@admin.register(Condition)
class ConditionAdmin(ReadOnlyWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["name", "key", "bank", "order"]
    list_filter = ["bank__status", "bank"]
    search_fields = ["name", "key"]
    inlines = [StatementInline]

    def get_readonly_fields(self, request, obj=None):
        # A condition is moved between banks only by copying the bank.
        return ["bank"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "bank":
            kwargs["queryset"] = QuestionBank.objects.drafts()  # published banks are frozen
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "status", "bank", "min_group_size", "opens_on", "closes_on"]
    list_filter = ["status", "place", "bank"]
    search_fields = ["name", "place__name"]
    date_hierarchy = "opens_on"

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status", "opened_at", "closed_at", "released_at"]
        if obj and obj.status != "draft":
            readonly += ["min_group_size", "bank", "place"]
        return readonly


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "partner", "cycle", "submitted", "revoked_at"]
    list_filter = ["submitted", "cycle__place"]
    search_fields = ["name", "email"]
    readonly_fields = ["token_hash", "submitted", "created_at", "last_sent_at"]
