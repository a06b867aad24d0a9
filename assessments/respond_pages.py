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
from assessments.respond_forms import QuestionRow

_LABELS = {**dict(ANSWER_SCALE), None: "Don’t know"}

# A bank's conditions in page order, and each condition's statements in order.
type _Pages = tuple[tuple[Condition, ...], dict[int, tuple[Statement, ...]]]


def _load_pages(bank_id: int) -> _Pages:
    """The bank's conditions and their statements in page order, in one query.

    Every condition of a published bank has statements (publishing checks it), so the conditions
    come with their statements rather than in a query of their own.
    """
    conditions: dict[int, Condition] = {}
    statements: dict[int, list[Statement]] = {}
    for statement in (
        Statement.objects.filter(condition__bank_id=bank_id)
        .select_related("condition")
        .order_by("condition__order", "condition_id", "order", "pk")
    ):
        conditions.setdefault(statement.condition_id, statement.condition)
        statements.setdefault(statement.condition_id, []).append(statement)
    return tuple(conditions.values()), {pk: tuple(group) for pk, group in statements.items()}


@functools.lru_cache(maxsize=16)
def _published_questionnaire(bank_id: int, published_at: dt.datetime) -> Questionnaire:
    """A published bank's questionnaire: the bank, whole, and its pages, read from the database
    once per process.

    Safe to keep: a published bank, its conditions and its statements can never change or be
    deleted (QuestionBank, Condition and Statement refuse it, in bulk too), so every server
    process holds the same copy and none can go stale. It is derived data, not state. So the
    personal link's lookup reads only whether the bank is published, and when (link_lookup.py),
    and the bank's wording comes from here. The publication time is part of the key so that a
    bank id reused after a rolled-back test can never meet another bank's pages.
    """
    questionnaire = Questionnaire(QuestionBank.objects.get(pk=bank_id))
    questionnaire._pages = _load_pages(bank_id)
    return questionnaire


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


class Questionnaire:
    def __init__(self, bank: QuestionBank):
        self.bank = bank

    @classmethod
    def for_bank(cls, bank: QuestionBank) -> Questionnaire:
        """The questionnaire of this bank. A published bank's is read once per process and
        shared; its `bank` is then that copy, with every field loaded, not `bank` itself."""
        if bank.is_published:
            return _published_questionnaire(bank.pk, bank.published_at)
        if bank.get_deferred_fields():  # the link's lookup reads only enough to tell
            bank = QuestionBank.objects.get(pk=bank.pk)
        return cls(bank)

    @functools.cached_property
    def _pages(self) -> _Pages:
        return _load_pages(self.bank.pk)

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return self._pages[0]

    @property
    def page_count(self) -> int:
        return len(self.conditions) + 1  # the spectrum question is the last page

    @property
    def review_step(self) -> int:
        return self.page_count + 1

    def condition_for_page(self, number: int) -> Condition | None:
        """The condition on page `number`, or None for the spectrum page."""
        return self.conditions[number - 1] if number <= len(self.conditions) else None

    def statements_for(self, condition: Condition) -> list[Statement]:
        return list(self._pages[1].get(condition.pk, []))

    def question_rows(self, condition: Condition) -> tuple[QuestionRow, ...]:
        """What the condition's page shows of each of its statements, in order. Made once per
        questionnaire, so once per process for a published bank's (shared, see for_bank)."""
        return self._question_rows.get(condition.pk, ())

    @functools.cached_property
    def _question_rows(self) -> dict[int, tuple[QuestionRow, ...]]:
        return {
            pk: tuple(QuestionRow.of(statement) for statement in statements)
            for pk, statements in self._pages[1].items()
        }

    def url_for_step(self, token: str, step: int) -> str:
        if step <= 0:
            return reverse("respond_about", args=[token])
        if step > self.page_count:
            return reverse("respond_review", args=[token])
        return reverse("respond_page", args=[token, step])

    def review(self, draft: DraftResponse, token: str) -> list[ReviewSection]:
        sections = []
        for number, condition in enumerate(self.conditions, start=1):
            items = []
            for statement in self.statements_for(condition):
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
        spectrum = dict(self.bank.spectrum_choices()).get(draft.spectrum_choice)
        sections.append(
            ReviewSection(
                title="How partners work together",
                edit_url=self.url_for_step(token, self.page_count),
                items=[ReviewItem(self.bank.spectrum_prompt, spectrum)],
            )
        )
        return sections
