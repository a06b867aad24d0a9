from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from assessments.scoring import DEFAULT_MIN_GROUP_SIZE, LOWEST_MIN_GROUP_SIZE
from assessments.snapshot import Snapshot
from assessments.snapshot import load as load_snapshot
from assessments.tokens import TOKEN_LENGTH, hash_token, token_for
from places.models import Partner, Place, Sector, Size


class ImmutableBankError(Exception):
    """Raised on any attempt to change or delete a published question bank or its contents."""

    def __init__(self, what: str = "question bank"):
        super().__init__(
            f"This {what} belongs to a published question bank, which cannot be changed. "
            "Copy the bank as a new draft version and edit that instead."
        )


class BankStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class SpectrumType(models.TextChoices):
    """The four ways of working together, fixed in code, weakest first (ties go to the weaker)."""

    COOPERATION = "cooperation", "Co-operation: alongside each other"
    PARTNERSHIP = "partnership", "Partnership: signed up to a set agenda"
    WEAK = "weak", "Weak collaboration: on one organisation's boat"
    STRONG = "strong", "Strong collaboration: all at the helm"


class RoleLevel(models.TextChoices):
    SENIOR_LEADER = "senior_leader", "Senior leader"
    MANAGER = "manager", "Manager"
    FRONT_LINE = "front_line", "Front-line staff"
    VOLUNTEER = "volunteer", "Volunteer"
    RESIDENT = "resident", "Resident or community member"


# --- Question banks ---

# A condition of a bank with routed statements keeps at least this many asked of everyone, so
# every respondent can meet the half-answered rule on it and group gaps have enough to go on.
MIN_ASKED_OF_EVERYONE = 4


def refuse_if_published(
    model: type[BankPart],
    stored: models.QuerySet | None = None,
    new: Iterable[BankPart] = (),
    moved_to: Mapping[str, object] | None = None,
) -> None:
    """Raise ImmutableBankError if a write would change a published bank.

    `model` is QuestionBank, Condition or Statement. The write changes the `stored` rows (update,
    delete), writes the `new` instances (save, bulk_create) or moves rows by `moved_to` (the
    keyword arguments of an update). Every bank it touches, before or after, is locked until the
    transaction ends (call it inside one), then read: so a change and the bank's publication
    (which updates the bank's row) happen one after the other, never interleaved.
    """
    path = model.bank_path
    bank_ids: set[int] = set()
    if stored is not None:
        bank_ids.update(stored.values_list(path or "pk", flat=True))
    new = list(new)
    if not path:  # the banks themselves
        if any(bank.pk is None and bank.is_published for bank in new):
            # A bank is published by publish(), once its contents are complete.
            raise ImmutableBankError(model._meta.verbose_name)
        bank_ids.update(bank.pk for bank in new if bank.pk is not None)
    else:
        # The bank of what the rows will point at: Condition.bank, Statement.condition.bank.
        first, _, rest = path.partition("__")
        parent = model._meta.get_field(first)
        parent_ids = {getattr(obj, parent.attname) for obj in new}
        for name, value in (moved_to or {}).items():
            if name in (parent.name, parent.attname):
                parent_ids.add(value.pk if isinstance(value, models.Model) else value)
        parent_ids.discard(None)
        if not rest:
            bank_ids.update(parent_ids)
        elif parent_ids:
            parents = parent.related_model.objects.filter(pk__in=parent_ids)
            bank_ids.update(parents.values_list(rest, flat=True))
    if BankStatus.PUBLISHED in _lock_banks(bank_ids):
        raise ImmutableBankError(model._meta.verbose_name)


def _lock_banks(bank_ids: set[int]) -> list[str]:
    """Hold these banks' rows until the transaction ends; their statuses, read under the lock."""
    if not bank_ids:
        return []
    # NO KEY: enough to queue behind publish()'s update, without blocking new rows that refer
    # to the bank (cycles, conditions).
    return list(
        QuestionBank.objects.select_for_update(no_key=True)
        .filter(pk__in=bank_ids)
        .order_by("pk")
        .values_list("status", flat=True)
    )


class BankPartQuerySet(models.QuerySet):
    """Bulk writes bypass save() and delete(), so they refuse a published bank's rows too."""

    @transaction.atomic
    def update(self, **kwargs):
        refuse_if_published(self.model, stored=self, moved_to=kwargs)
        return super().update(**kwargs)

    @transaction.atomic
    def delete(self):
        refuse_if_published(self.model, stored=self)
        return super().delete()

    @transaction.atomic
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        refuse_if_published(self.model, new=objs)
        return super().bulk_create(objs, *args, **kwargs)


class BankPart(models.Model):
    """A question bank, or a part of one: nothing about it changes once the bank is published,
    by save(), delete() or any bulk path (BankPartQuerySet)."""

    # The query path from this model to its bank ("" for the bank itself).
    bank_path: ClassVar[str]

    class Meta:
        abstract = True

    @transaction.atomic
    def save(self, *args, **kwargs):
        stored = type(self).objects.filter(pk=self.pk) if self.pk is not None else None
        refuse_if_published(type(self), stored=stored, new=[self])
        super().save(*args, **kwargs)

    @transaction.atomic
    def delete(self, *args, **kwargs):
        refuse_if_published(type(self), stored=type(self).objects.filter(pk=self.pk))
        return super().delete(*args, **kwargs)


class QuestionBankQuerySet(BankPartQuerySet):
    def published(self) -> QuestionBankQuerySet:
        return self.filter(status=BankStatus.PUBLISHED)

    def drafts(self) -> QuestionBankQuerySet:
        return self.filter(status=BankStatus.DRAFT)

    def newest_published(self) -> QuestionBank | None:
        """The bank most recently published: what a new round asks by default."""
        return self.published().order_by("-published_at", "-pk").first()


class QuestionBank(BankPart):
    bank_path = ""

    name = models.CharField(max_length=120)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=BankStatus.choices, default=BankStatus.DRAFT)
    description = models.TextField(blank=True)
    spectrum_prompt = models.CharField(
        "spectrum question", max_length=300, help_text="The single-choice question."
    )
    spectrum_help = models.CharField("spectrum help text", max_length=300, blank=True)
    spectrum_cooperation = models.CharField("wording: co-operation", max_length=300)
    spectrum_partnership = models.CharField("wording: partnership", max_length=300)
    spectrum_weak = models.CharField("wording: weak collaboration", max_length=300)
    spectrum_strong = models.CharField("wording: strong collaboration", max_length=300)
    target_prompt = models.CharField(
        "where we need to be: question",
        max_length=300,
        blank=True,
        help_text="A second spectrum question: which way of working the partnership needs. "
        "Leave empty to ask only where it is now.",
    )
    target_help = models.CharField("where we need to be: help text", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = QuestionBankQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="bank_unique_version"),
            models.CheckConstraint(
                condition=Q(status__in=BankStatus.values), name="bank_status_valid"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="bank_version_positive"),
            models.CheckConstraint(
                condition=Q(status=BankStatus.DRAFT) | Q(published_at__isnull=False),
                name="bank_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version}, {self.get_status_display().lower()})"

    @property
    def is_published(self) -> bool:
        return self.status == BankStatus.PUBLISHED

    @transaction.atomic
    def save(self, *args, **kwargs):
        if self.is_published and self.pk is not None:
            refuse_if_published(QuestionBank, stored=QuestionBank.objects.filter(pk=self.pk))
            # Only publish() publishes: it checks that the bank is complete first.
            raise ValueError("Publish a bank with its publish action, not by changing its status.")
        super().save(*args, **kwargs)

    def spectrum_choices(self) -> list[tuple[str, str]]:
        """The four spectrum types with this bank's wording, weakest first."""
        return [
            (SpectrumType.COOPERATION, self.spectrum_cooperation),
            (SpectrumType.PARTNERSHIP, self.spectrum_partnership),
            (SpectrumType.WEAK, self.spectrum_weak),
            (SpectrumType.STRONG, self.spectrum_strong),
        ]

    def publication_problems(self) -> list[str]:
        problems = []
        conditions = list(self.conditions.prefetch_related("statements"))
        if not conditions:
            problems.append("The bank has no conditions.")
        routing = any(s.routed for c in conditions for s in c.statements.all())
        for condition in conditions:
            statements = condition.statements.all()
            if not statements:
                problems.append(f"Condition “{condition.name}” has no statements.")
            asked_of_all = sum(1 for s in statements if not s.routed)
            # Group gaps and the type use only statements asked of everyone (DESIGN §5).
            if routing and asked_of_all < MIN_ASKED_OF_EVERYONE:
                problems.append(
                    f"Condition “{condition.name}” has {asked_of_all} statements asked of "
                    f"everyone; a bank with routed statements needs at least "
                    f"{MIN_ASKED_OF_EVERYONE} in each condition."
                )
        if self.target_prompt and not self.spectrum_prompt:
            problems.append("The “where we need to be” question needs the spectrum question too.")
        return problems

    def draft_copy(self) -> QuestionBank | None:
        """A draft already copied from this bank (a later draft version of the same name), which
        "copy as new draft" offers instead of making a second one."""
        return (
            QuestionBank.objects.drafts()
            .filter(name=self.name, version__gt=self.version)
            .order_by("-version")
            .first()
        )

    @transaction.atomic
    def publish(self) -> None:
        """Freeze this draft. Raises ValueError when it is not ready."""
        _lock_banks({self.pk})  # first: no edit can land between the checks and the freeze
        problems = self.publication_problems()
        if problems:
            raise ValueError(" ".join(problems))
        now = timezone.now()
        updated = QuestionBank.objects.filter(pk=self.pk, status=BankStatus.DRAFT).update(
            status=BankStatus.PUBLISHED, published_at=now
        )
        if not updated:
            raise ValueError("Only a draft bank can be published.")
        self.status, self.published_at = BankStatus.PUBLISHED, now

    @transaction.atomic
    def copy_as_draft(self) -> QuestionBank:
        """A new draft version of this bank with the same conditions and statement keys."""
        latest = QuestionBank.objects.filter(name=self.name).aggregate(v=Max("version"))["v"]
        copy = QuestionBank.objects.create(
            name=self.name,
            version=(latest or 0) + 1,
            description=self.description,
            spectrum_prompt=self.spectrum_prompt,
            spectrum_help=self.spectrum_help,
            spectrum_cooperation=self.spectrum_cooperation,
            spectrum_partnership=self.spectrum_partnership,
            spectrum_weak=self.spectrum_weak,
            spectrum_strong=self.spectrum_strong,
            target_prompt=self.target_prompt,
            target_help=self.target_help,
        )
        for condition in self.conditions.prefetch_related("statements"):
            new_condition = Condition.objects.create(
                bank=copy,
                key=condition.key,
                name=condition.name,
                description=condition.description,
                comment_prompt=condition.comment_prompt,
                guidance=condition.guidance,
                order=condition.order,
            )
            Statement.objects.bulk_create(
                Statement(
                    condition=new_condition,
                    key=s.key,
                    text=s.text,
                    help_text=s.help_text,
                    reverse_keyed=s.reverse_keyed,
                    routed=s.routed,
                    order=s.order,
                )
                for s in condition.statements.all()
            )
        return copy


class Condition(BankPart):
    bank_path = "bank"

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="conditions")
    key = models.SlugField(
        max_length=60, help_text="Stable across bank versions: trends match conditions by key."
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    comment_prompt = models.CharField(
        max_length=300, blank=True, help_text="Prompt for the optional free-text comment."
    )
    guidance = models.TextField(
        blank=True,
        help_text="What tends to help when this condition is weak or divided (DESIGN §7b).",
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = BankPartQuerySet.as_manager()

    class Meta:
        ordering = ["bank", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "key"], name="condition_unique_key_in_bank"),
        ]

    def __str__(self) -> str:
        return self.name


class StatementQuerySet(BankPartQuerySet):
    def for_bank(self, bank: QuestionBank) -> StatementQuerySet:
        return self.filter(condition__bank=bank)


class Statement(BankPart):
    bank_path = "condition__bank"

    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="statements")
    key = models.SlugField(
        max_length=60, help_text="Stable across bank versions: trends match statements by key."
    )
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    reverse_keyed = models.BooleanField(
        default=False, help_text="Agreeing is a bad sign (the score is reversed)."
    )
    routed = models.BooleanField(
        "only for people in partnership meetings",
        default=False,
        help_text="Asked only of people who take part in partnership meetings or decisions; "
        "for everyone else it is not asked (not a don't know). Keep at least "
        "4 statements in each condition asked of everyone.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["condition", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "key"], name="statement_unique_key_in_condition"
            ),
        ]

    def __str__(self) -> str:
        return self.text


# --- Cycles, invitations and responses ---


class CycleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    RELEASED = "released", "Released"


class CycleQuerySet(models.QuerySet):
    def released(self) -> CycleQuerySet:
        return self.filter(status=CycleStatus.RELEASED)

    def with_results(self) -> CycleQuerySet:
        """Cycles whose results exist: closed (facilitators only) or released."""
        return self.filter(status__in=[CycleStatus.CLOSED, CycleStatus.RELEASED])

    def newest_first(self) -> CycleQuerySet:
        """The order every page lists a place's rounds in: latest opening date first."""
        return self.order_by("-opens_on", "-pk")

    def open_in_place(self, place_id: int) -> CycleQuerySet:
        return self.filter(place_id=place_id, status=CycleStatus.OPEN).select_related("place")

    def due_to_close(self, today) -> CycleQuerySet:
        return self.filter(status=CycleStatus.OPEN, closes_on__lt=today)

    def due_to_open(self, today) -> CycleQuerySet:
        return self.filter(status=CycleStatus.DRAFT, opens_automatically=True, opens_on__lte=today)


class Cycle(models.Model):
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="cycles")
    bank = models.ForeignKey(
        QuestionBank,
        on_delete=models.PROTECT,
        related_name="cycles",
        limit_choices_to={"status": BankStatus.PUBLISHED},
    )
    name = models.CharField(max_length=120)
    status = models.CharField(max_length=16, choices=CycleStatus.choices, default=CycleStatus.DRAFT)
    min_group_size = models.PositiveSmallIntegerField(
        "minimum group size (k)",
        default=DEFAULT_MIN_GROUP_SIZE,
        validators=[MinValueValidator(LOWEST_MIN_GROUP_SIZE)],
        help_text="No figure describing fewer respondents than this is ever shown.",
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    opens_automatically = models.BooleanField(
        "open it by itself that day",
        default=False,
        help_text="Invitations are emailed when the cycle opens.",
    )
    # The facilitator's own words in the invitation email, and who people may ask.
    invitation_message = models.TextField(
        "your message",
        max_length=1500,
        blank=True,
        help_text="Shown near the top of every invitation email, after the greeting. For "
        "example, why the partnership is doing the check now and what will happen with the "
        "results.",
    )
    contact_name = models.CharField(
        "contact name",
        max_length=120,
        blank=True,
        help_text="Who people can ask about the health check, usually you.",
    )
    contact_email = models.EmailField(
        "contact email address",
        blank=True,
        help_text="Replies to the invitation email go here too.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["place", "-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_group_size__gte=LOWEST_MIN_GROUP_SIZE), name="cycle_k_at_least_3"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="cycle_closes_after_opens"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CycleStatus.values), name="cycle_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} — {self.name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = Cycle.objects.filter(pk=self.pk).values("status", "min_group_size", "bank_id")
            stored = stored.first()
            if stored and stored["status"] != self.status:
                # Status moves only through services (conditional updates). A copy read before
                # someone opened, closed or released the cycle must not put the old status back.
                raise ValueError(
                    "Someone else has just opened, closed or released this cycle. "
                    "Reload the page to see it as it is now."
                )
            if stored and stored["status"] != CycleStatus.DRAFT:
                # Respondents were promised this k and answered this bank: both are fixed.
                if stored["min_group_size"] != self.min_group_size:
                    raise ValueError("The minimum group size is fixed once a cycle has opened.")
                if stored["bank_id"] != self.bank_id:
                    raise ValueError("The question bank is fixed once a cycle has opened.")
        super().save(*args, **kwargs)

    @property
    def has_results(self) -> bool:
        return self.status in (CycleStatus.CLOSED, CycleStatus.RELEASED)

    @property
    def invitees_erased_on(self) -> dt.date | None:
        """The day from which invitees' names and addresses are erased: the retention period
        after release (erase_personal_data runs daily)."""
        if self.status != CycleStatus.RELEASED or self.released_at is None:
            return None
        retention = dt.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
        return timezone.localdate(self.released_at + retention)


class InvitationQuerySet(models.QuerySet):
    def active(self) -> InvitationQuerySet:
        return self.filter(revoked_at__isnull=True)

    def awaiting(self) -> InvitationQuerySet:
        """Active and not yet submitted: the people reminders are for."""
        return self.active().filter(submitted=False)

    def due_for_erasure(self, now: dt.datetime) -> InvitationQuerySet:
        """Invitations whose round was released more than the retention period ago and whose
        names and addresses are still kept."""
        cutoff = now - dt.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
        return self.filter(
            cycle__status=CycleStatus.RELEASED,
            cycle__released_at__lte=cutoff,
            erased_at__isnull=True,
        )

    def erase_personal_data(self, now: dt.datetime) -> int:
        """Forget who was invited, keeping each invitation's partner and whether it was
        answered (the participation counts)."""
        return self.update(name="", email="", erased_at=now)

    def with_status(self) -> InvitationQuerySet:
        return self.select_related("partner").annotate(
            has_draft=models.Exists(DraftResponse.objects.filter(invitation=models.OuterRef("pk")))
        )

    def by_token(self, token: str) -> Invitation | None:
        """The invitation a personal link opens, or None: with its cycle, the cycle's bank and
        place, and its draft or the fact that it has none, in one query. Every respondent page
        starts with this."""
        if len(token) != TOKEN_LENGTH:
            return None  # not a link's token: nothing to hash
        related = self.select_related("cycle__bank", "cycle__place", "draft")
        try:
            return related.get(token_hash=hash_token(token))
        except Invitation.DoesNotExist:
            return None


class Invitation(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="invitations")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="invitations")
    name = models.CharField(max_length=160)
    email = models.EmailField()
    # The link's token is derived from this salt and SECRET_KEY; only its SHA-256 hash is stored,
    # so a database dump holds no usable link (see assessments/tokens.py).
    token_salt = models.CharField(max_length=64, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The only trace of a submitted response: a flag, never a link to it.
    submitted = models.BooleanField(default=False)
    # When the name and email address were erased (PERSONAL_DATA_RETENTION_DAYS after release).
    erased_at = models.DateTimeField(null=True, blank=True)
    # Set by the link in reminder and results emails: no more of either to this person.
    emails_stopped_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "email"],
                condition=~Q(email=""),  # erased invitations have no address left
                name="invitation_one_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def token(self) -> str:
        return token_for(self.token_salt)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def refusal(self) -> str | None:
        """Why this link cannot be used to answer now, in the respondent's words; None if it can."""
        if self.is_revoked:
            return "This link has been withdrawn by the facilitator. Ask them for a new one."
        if self.submitted:
            return None  # handled by the thank-you page, not an error
        status = self.cycle.status
        if status == CycleStatus.DRAFT:
            return "This health check has not opened yet. Please come back when it opens."
        if status != CycleStatus.OPEN:
            return "This health check has closed, so answers can no longer be added."
        return None


class DraftResponse(models.Model):
    """A response being written. Linked to its invitation so the link can resume it; deleted on
    submit, when its content becomes an unlinked Response."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="draft")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, null=True, blank=True)
    role_level = models.CharField(max_length=20, choices=RoleLevel.choices, blank=True)
    spectrum_choice = models.CharField(max_length=16, choices=SpectrumType.choices, blank=True)
    spectrum_target = models.CharField(max_length=16, choices=SpectrumType.choices, blank=True)
    # Whether they take part in partnership meetings or decisions: None until asked (and never
    # asked by a bank without routed statements).
    in_meetings = models.BooleanField(null=True, blank=True)
    # {statement_id: 1..5 or None for don't know}; JSON keys are strings.
    answers = models.JSONField(default=dict, blank=True)
    # {condition_id: comment text}
    comments = models.JSONField(default=dict, blank=True)
    step = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Draft response for invitation {self.invitation_id}"


class Response(models.Model):
    """A submitted response. Deliberately has no link to an invitation or user, a random id, and a
    day-only date, so nobody can tell whose answers these are."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="responses")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="responses")
    # The groups this response counts in, as they were when it was submitted (DESIGN §6):
    # results never read the partner's current sector, size or lead flag, so editing a partner
    # later cannot regroup answers and let two versions of a figure be set against each other.
    sector = models.CharField(max_length=32, choices=Sector.choices)
    size = models.CharField(max_length=16, choices=Size.choices)
    is_lead = models.BooleanField("from a lead partner")
    role_level = models.CharField(max_length=20, choices=RoleLevel.choices)
    spectrum_choice = models.CharField(max_length=16, choices=SpectrumType.choices, blank=True)
    # Where they say the partnership needs to be (banks with that question; blank otherwise).
    # A database default too, so writers that name their columns (bench's COPY, an app server
    # still on the code before this field) keep working.
    spectrum_target = models.CharField(
        max_length=16, choices=SpectrumType.choices, blank=True, default="", db_default=""
    )
    # Takes part in partnership meetings or decisions, as answered at submission; None where the
    # bank had no routed statements, so everything was asked.
    in_meetings = models.BooleanField("takes part in partnership meetings", null=True)
    submitted_on = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role_level__in=RoleLevel.values), name="response_role_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(sector__in=Sector.values), name="response_sector_valid"
            ),
            models.CheckConstraint(condition=Q(size__in=Size.values), name="response_size_valid"),
            models.CheckConstraint(
                condition=Q(spectrum_choice__in=[*SpectrumType.values, ""]),
                name="response_spectrum_valid",
            ),
            models.CheckConstraint(
                condition=Q(spectrum_target__in=[*SpectrumType.values, ""]),
                name="response_spectrum_target_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk}"


# The five-point scale respondents see; "don't know" is offered beside it and stored as NULL.
ANSWER_SCALE = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
]


class Answer(models.Model):
    # No index of its own: answer_one_per_statement (response, statement) serves every lookup by
    # response, and one index fewer to keep up makes submitting and closing cheaper.
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="answers")
    # 1 = strongly disagree … 5 = strongly agree; NULL = don't know.
    value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "statement"], name="answer_one_per_statement"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=5),
                name="answer_value_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement.key}: {self.value if self.value is not None else 'don’t know'}"


class Comment(models.Model):
    """A free-text comment on one condition. Not linked to the response it came with: comments can
    name their writer, so they must not lead back to anyone's answers."""

    # A random id, so that insertion order does not pair a comment with its response's answers.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="comments")
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="comments")
    text = models.TextField(max_length=2000)

    def __str__(self) -> str:
        return self.text[:60]


class CycleResult(models.Model):
    """The results of a closed cycle, computed once when it closes and read by every output.

    `data` holds only figures that passed the confidentiality rules: nothing under k is stored, so
    no page or export can leak what is not here. Rebuilt only by `manage.py recompute_results`,
    and only until the cycle is released.
    """

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="result")
    computed_at = models.DateTimeField(auto_now_add=True)
    n_responses = models.PositiveIntegerField()
    # Per condition key: the place's score, kept here too so comparisons and benchmarks across
    # many places read one narrow column instead of every snapshot's whole document.
    condition_scores = models.JSONField(default=dict)
    overall_index = models.FloatField(null=True, blank=True)
    # The snapshot's "trends" section, for the same reason: the comparison of many places reads
    # it for every place, and extracting it from each whole document was most of that page's cost.
    trends = models.JSONField(default=dict)
    data = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Results of {self.cycle}"

    @property
    def snapshot(self) -> Snapshot:
        """`data` as typed records, checked against the schema (assessments/snapshot.py)."""
        return load_snapshot(self.data)


# --- Emails: the outbox ---


class DeliveryKind(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    REMINDER = "reminder", "Reminder"
    RESULTS = "results", "Results released"
    AUTOMATION_ALERT = "automation_alert", "Alert to facilitators"
    ACTION_DUE = "action_due", "Action falling due"


class DeliveryStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for the cycle to open"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"
    CANCELLED = "cancelled", "No longer needed"


PENDING_DELIVERY = [DeliveryStatus.WAITING, DeliveryStatus.QUEUED, DeliveryStatus.SENDING]


class DeliveryQuerySet(models.QuerySet):
    def pending(self) -> DeliveryQuerySet:
        return self.filter(status__in=PENDING_DELIVERY)

    def failed(self) -> DeliveryQuerySet:
        return self.filter(status=DeliveryStatus.FAILED)

    def expired_leases(self, now) -> DeliveryQuerySet:
        """Held by a worker for longer than its lease: that worker has died or hung."""
        return self.filter(status=DeliveryStatus.SENDING, lease_expires_at__lt=now)

    def overdue(self, since) -> DeliveryQuerySet:
        """Queued and due before `since`: their task was lost with a worker that died."""
        return self.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lt=since)

    def failures_to_show(self, cycle: Cycle) -> DeliveryQuerySet:
        """Failed emails the facilitator can still do something about, with the person."""
        kinds = {
            CycleStatus.OPEN: [DeliveryKind.INVITATION, DeliveryKind.REMINDER],
            CycleStatus.RELEASED: [DeliveryKind.RESULTS],
        }.get(cycle.status, [])
        return (
            self.failed()
            .filter(cycle=cycle, kind__in=kinds, invitation__revoked_at__isnull=True)
            .select_related("invitation")
            .order_by("invitation__name", "pk")
        )


class Delivery(models.Model):
    """One email, to an invitee or (alerts, action reminders) a user: queued, claimed by a
    worker with a lease, then sent, failed or cancelled. Holds ids only: the email, and any
    personal link in it, is made when it is sent. `error` never holds the address (it is erased
    with the invitation)."""

    # None only for a reminder about an action added without a round (ACTION_DUE).
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=20, choices=DeliveryKind.choices)
    # The action an ACTION_DUE reminder is about, sent to a member of an owner organisation.
    action = models.ForeignKey(
        "actions.Action",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(invitation__isnull=False, user__isnull=True)
                | Q(invitation__isnull=True, user__isnull=False),
                name="delivery_one_recipient",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            ),
            # However many schedulers, buttons and sweeps race, one person has at most one
            # invitation and one reminder on its way.
            models.UniqueConstraint(
                fields=["invitation", "kind"],
                condition=Q(status__in=PENDING_DELIVERY),
                name="delivery_one_pending_per_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"], name="delivery_cycle_status"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"


class AutomationAction(models.TextChoices):
    OPEN = "open", "opening"
    CLOSE = "close", "closing"


class AutomationFailure(models.Model):
    """A scheduled opening or closing that did not happen. The cycle page shows the latest while
    the cycle is still waiting for that step, and the place's facilitators are emailed."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="automation_failures")
    action = models.CharField(max_length=8, choices=AutomationAction.choices)
    message = models.TextField()
    happened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_at", "-pk"]

    def __str__(self) -> str:
        return f"Automatic {self.get_action_display()} of {self.cycle} failed"
