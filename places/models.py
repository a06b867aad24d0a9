from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Sector(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    NHS = "nhs", "NHS / health"
    PUBLIC = "public", "Other public service"
    VOLUNTARY = "voluntary", "Voluntary & community"
    SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise / co-operative"
    BUSINESS = "business", "Business"
    FAITH = "faith", "Faith group"
    RESIDENTS = "residents", "Residents' group"
    FUNDER = "funder", "Funder"


class Size(models.TextChoices):
    MICRO = "micro", "Micro"
    SMALL = "small", "Small"
    MEDIUM = "medium", "Medium"
    LARGE = "large", "Large"
    NATIONAL = "national", "National"


class Role(models.TextChoices):
    FACILITATOR = "facilitator", "Facilitator"
    MEMBER = "member", "Partner member"


class PlaceQuerySet(models.QuerySet):
    def facilitated_by(self, user) -> PlaceQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__role=Role.FACILITATOR).distinct()


class Place(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("place_detail", args=[self.slug])


class Partner(models.Model):
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(max_length=160)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    size = models.CharField(max_length=16, choices=Size.choices)
    is_lead = models.BooleanField(
        "lead partner",
        default=False,
        help_text="The convenor, commissioner or accountable body.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="partner_unique_name_in_place"),
            models.CheckConstraint(
                condition=Q(sector__in=Sector.values), name="partner_sector_valid"
            ),
            models.CheckConstraint(condition=Q(size__in=Size.values), name="partner_size_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def group_attributes(self) -> dict:
        """What a response from this partner is grouped by, copied onto it when submitted."""
        return {"sector": self.sector, "size": self.size, "is_lead": self.is_lead}


class MembershipQuerySet(models.QuerySet):
    def role_counts(self, place: Place) -> dict[str, int]:
        """How many facilitators and partner members the place has; one query."""
        counts = dict.fromkeys(Role.values, 0)
        rows = self.filter(place=place, user__is_active=True).values("role")
        for row in rows.annotate(n=models.Count("pk")).order_by():
            counts[row["role"]] = row["n"]
        return counts


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="The organisation this person belongs to (optional for facilitators).",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["place__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "place"], name="membership_one_per_place"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.place}"


class FailedLoginQuerySet(models.QuerySet):
    def recent(self, username: str, address: str, since) -> FailedLoginQuerySet:
        return self.filter(username=username.lower(), address=address, attempted_at__gte=since)


class FailedLogin(models.Model):
    """One failed sign-in. Kept in the database, not in process memory, so every app server
    behind a load balancer sees the same count."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField()
    attempted_at = models.DateTimeField(auto_now_add=True)

    objects = FailedLoginQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["username", "address", "attempted_at"], name="failed_login_lookup"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address}"
