"""The shape of a questionnaire: which page shows what, and where the link should resume.

Steps: 0 is "about you", 1..n are the condition pages, n+1 is the spectrum question (the last page
counted in "page x of y"), n+2 is the review.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.urls import reverse

from assessments.models import ANSWER_SCALE, Condition, DraftResponse, QuestionBank, Statement

_LABELS = {**dict(ANSWER_SCALE), None: "Don’t know"}


@dataclass(frozen=True)
class ReviewItem:
    text: str
    answer: str | None  # None: not answered yet


@dataclass(frozen=True)
class ReviewSection:
    title: str
    edit_url: str
    items: list[ReviewItem]
    comment: str = ""


type Pages = dict[Condition, list[Statement]]


def _read_pages(bank_id: int) -> Pages:
    """The bank's conditions in page order, each with its statements in order, in one query.

    Every condition of a published bank has statements (publishing checks it), so the conditions
    come with their statements rather than in a query of their own.
    """
    pages: Pages = {}
    statements = (
        Statement.objects.filter(condition__bank_id=bank_id)
        .select_related("condition")
        .order_by("condition__order", "condition_id", "order", "pk")
    )
    for statement in statements:
        pages.setdefault(statement.condition, []).append(statement)
    return pages


@functools.lru_cache(maxsize=16)
def _published_pages(bank_id: int, published_at: dt.datetime) -> Pages:
    """A published bank's pages, read once per process: the respondent's pages' only cache.

    Measured to matter (docs/PERFORMANCE.md): reading them was a quarter of the questionnaire
    page's CPU. Safe to keep: a published bank, its conditions and its statements can never
    change or be deleted (models.BankPart), so every server process holds the same copy and none
    can go stale; nothing here is about a respondent. The publication time is part of the key,
    so a bank id used again (after a rolled-back test) never meets another bank's pages.
    """
    return _read_pages(bank_id)


class Questionnaire:
    """A bank's pages, read when first needed; a published bank's are kept (_published_pages)."""

    def __init__(self, bank: QuestionBank):
        self.bank = bank

    @functools.cached_property
    def _pages(self) -> Pages:
        if self.bank.is_published:
            return _published_pages(self.bank.pk, self.bank.published_at)
        return _read_pages(self.bank.pk)

    @property
    def conditions(self) -> list[Condition]:
        return list(self._pages)

    @property
    def page_count(self) -> int:
        return len(self._pages) + 1  # the spectrum question is the last page

    @property
    def review_step(self) -> int:
        return self.page_count + 1

    def condition_for_page(self, number: int) -> Condition | None:
        """The condition on page `number`, or None for the spectrum page."""
        conditions = self.conditions
        return conditions[number - 1] if number <= len(conditions) else None

    @property
    def asks_meetings(self) -> bool:
        """Whether the About-you page asks about partnership meetings: the bank routes some
        statements to the people who take part in them."""
        return any(s.routed for statements in self._pages.values() for s in statements)

    def statements_for(
        self, condition: Condition, in_meetings: bool | None = None
    ) -> list[Statement]:
        """The condition's statements this respondent is asked: routed ones only of people in
        partnership meetings (None: not asked yet, or a bank without routing: all)."""
        return [
            s for s in self._pages.get(condition, []) if not (s.routed and in_meetings is False)
        ]

    def routed_ids(self) -> set[str]:
        """The routed statements' ids, as the draft keys its answers."""
        return {str(s.pk) for page in self._pages.values() for s in page if s.routed}

    def url_for_step(self, token: str, step: int) -> str:
        if step <= 0:
            return reverse("respond_about", args=[token])
        if step > self.page_count:
            return reverse("respond_review", args=[token])
        return reverse("respond_page", args=[token, step])

    def review(self, draft: DraftResponse, token: str) -> list[ReviewSection]:
        sections = []
        for number, condition in enumerate(self._pages, start=1):
            items = []
            for statement in self.statements_for(condition, draft.in_meetings):
                key = str(statement.pk)
                answer = _LABELS[draft.answers[key]] if key in draft.answers else None
                items.append(ReviewItem(statement.text, answer))
            sections.append(
                ReviewSection(
                    title=condition.name,
                    edit_url=self.url_for_step(token, number),
                    items=items,
                    comment=draft.comments.get(str(condition.pk), ""),
                )
            )
        wording = dict(self.bank.spectrum_choices())
        items = [ReviewItem(self.bank.spectrum_prompt, wording.get(draft.spectrum_choice))]
        if self.bank.target_prompt:
            items.append(ReviewItem(self.bank.target_prompt, wording.get(draft.spectrum_target)))
        sections.append(
            ReviewSection(
                title="How partners work together",
                edit_url=self.url_for_step(token, self.page_count),
                items=items,
            )
        )
        return sections
