"""The shape of a questionnaire: which page shows what, and where the link should resume.

Steps: 0 is "about you", 1..n are the condition pages, n+1 is the spectrum question (the last page
counted in "page x of y"), n+2 is the review.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

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


class Questionnaire:
    def __init__(self, bank: QuestionBank):
        self.bank = bank

    @cached_property
    def _pages(self) -> tuple[list[Condition], dict[int, list[Statement]]]:
        """The bank's conditions and their statements in page order, in one query.

        Every condition of a published bank has statements (publishing checks it), so the
        conditions come with their statements rather than in a query of their own.
        """
        conditions: dict[int, Condition] = {}
        statements: dict[int, list[Statement]] = {}
        for statement in (
            Statement.objects.filter(condition__bank=self.bank)
            .select_related("condition")
            .order_by("condition__order", "condition_id", "order", "pk")
        ):
            conditions.setdefault(statement.condition_id, statement.condition)
            statements.setdefault(statement.condition_id, []).append(statement)
        return list(conditions.values()), statements

    @property
    def conditions(self) -> list[Condition]:
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
