from django.contrib import admin

from places.models import Membership, Partner, Place


class PartnerInline(admin.TabularInline):
    model = Partner
    fields = ["name", "sector", "size", "is_lead"]
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "partner"]
    autocomplete_fields = ["user"]
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the place's own partners make sense here.
        if db_field.name == "partner" and request.resolver_match:
            place_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Partner.objects.filter(place_id=place_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PartnerInline, MembershipInline]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "sector", "size", "is_lead"]
    list_filter = ["sector", "size", "is_lead", "place"]
    search_fields = ["name", "place__name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "place", "role", "partner"]
    list_filter = ["role", "place"]
    search_fields = ["user__username", "user__email", "place__name"]
    autocomplete_fields = ["user", "place", "partner"]
