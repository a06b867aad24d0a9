"""The typed results snapshot: loud on any mismatch, and schema-1 results converted, frozen."""

from __future__ import annotations

import copy
import importlib

import pytest
from django.urls import reverse

from assessments import services, snapshot
from assessments.models import CycleResult
from tests.factories import PartnerFactory, add_responses, make_keyed_bank, open_cycle_for

pytestmark = pytest.mark.django_db

migration = importlib.import_module("assessments.migrations.0009_snapshot_schema_2")


@pytest.fixture
def stored(place_a):
    bank = make_keyed_bank(("c0", "leadership"), n_statements=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(cycle, PartnerFactory(place=place_a, is_lead=True), count=4, values=4)
    add_responses(cycle, PartnerFactory(place=place_a), count=4, values=2)
    services.close_cycle(cycle)
    return CycleResult.objects.get(cycle=cycle).data


def test_what_is_stored_loads_back_as_the_same_records(stored):
    loaded = snapshot.load(stored)
    assert loaded.schema == snapshot.SCHEMA_VERSION
    assert snapshot.dump(loaded) == stored


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema=1), "schema 1; this code reads schema 2"),
        (lambda d: d["overall"].pop("band"), r"snapshot\.overall\.band is missing"),
        (lambda d: d["conditions"][0].update(scor=1.0), r"conditions\[0\] has unknown fields"),
        (
            lambda d: d["conditions"][0]["place"].update(n="4"),
            r"conditions\[0\]\.place\.n should be int",
        ),
        (lambda d: d.update(comments=None), r"snapshot\.comments should be list, not None"),
    ],
)
def test_a_missing_renamed_or_mistyped_field_fails_loudly(stored, change, message):
    broken = copy.deepcopy(stored)
    change(broken)
    with pytest.raises(snapshot.SnapshotSchemaError, match=message):
        snapshot.load(broken)


SCHEMA_1 = {
    "schema": 1,
    "k": 5,
    "enough_responses": True,
    "n_responses": 28,
    "bank": {"id": 1, "name": "Collaboration health check", "version": 1},
    "previous_cycle": {"id": 7, "name": "Spring 2025"},
    "overall": {
        "score": 62.0,
        "n": 28,
        "band": "developing",
        "spread": 24.999999999999996,  # 25 on paper: mixed, though schema 1 said aligned
        "agreement": "aligned",
        "trend": {"previous": 57.4, "change": 4.6, "direction": None},
    },
    "conditions": [
        {
            "key": "leadership",
            "name": "Shared leadership and power",
            "order": 5,
            "statement_count": 6,
            "score": 74.6,  # shown as 75: a strength beside the number shown
            "n": 28,
            "band": "developing",
            "spread": 30.0,
            "agreement": "mixed",
            "dont_know_rate": 0.1,
            "n_answered": 28,
            "trend": {"previous": 70.0, "change": 4.6, "direction": None},
            "benchmark": {
                "median": 60.0,
                "q1": 55.0,
                "q3": 74.8,
                "places": 6,
                "position": "below",
            },
        }
    ],
    "trends": {"leadership": {"change": 4.6, "direction": None}},
    "heatmaps": [
        {
            "key": "sector",
            "title": "By sector",
            "columns": [{"key": "nhs", "label": "NHS / health"}],
            "rows": [
                {
                    "condition": "leadership",
                    "cells": {
                        "nhs": {"score": 70.0, "n": 10, "band": "developing", "agreement": "mixed"}
                    },
                    "gap": None,
                }
            ],
        },
        {
            "key": "lead",
            "title": "Lead partners and the other partners",
            "columns": [
                {"key": "lead", "label": "Lead partners"},
                {"key": "other", "label": "Other partners"},
            ],
            "lead_partners": ["Council"],
            "rows": [
                {
                    "condition": "leadership",
                    "cells": {
                        "lead": {"score": 80.0, "n": 10, "band": "strength", "agreement": "mixed"},
                        "other": {
                            "score": 65.4,
                            "n": 18,
                            "band": "developing",
                            "agreement": "mixed",
                        },
                    },
                    "gap": {"points": 14.6, "high": "lead", "low": "other", "big": False},
                }
            ],
        },
    ],
    "lead_gap": {"points": 14.6, "lead": 80.0, "other": 65.4, "n_lead": 10, "n_other": 18},
    "spectrum": {
        "n": 28,
        "mode": "strong",
        "categories": [{"key": "strong", "label": "All at the helm", "n": 25, "share": 25 / 28}],
        "other": {"n": 3, "share": 3 / 28},
    },
    "collaboration_type": {"key": "developing", "label": "Developing collaboration", "reasons": []},
    "statements": [
        {
            "key": "leadership_s0",
            "text": "Decisions are made together.",
            "condition": "leadership",
            "condition_name": "Shared leadership and power",
            "reverse_keyed": False,
            "order": 0,
            "mean": 74.6,
            "trend": None,
            "n": 27,
            "band": "developing",
            "spread": 50.00000000000001,
            "agreement": "polarised",
        }
    ],
    "highlights": {
        "strongest": ["leadership_s0"],
        "weakest": [],
        "most_divided": [],
        "dont_know": [],
    },
    "prompts": ["A question."],
    "comments": [{"condition": "leadership", "condition_name": "Shared", "text": "Hello."}],
    "benchmark_window": {"start": "2024-05-01T00:00:00+00:00", "end": "2026-05-01T00:00:00+00:00"},
}


def test_a_schema_1_snapshot_is_converted_with_its_labels_judged_again():
    converted = snapshot.load(migration.convert(copy.deepcopy(SCHEMA_1)))
    assert converted.missing == ["role_lens", "size_lens", "division"]
    assert converted.overall.agreement == "mixed"  # the exact spread is 25
    assert converted.overall.trend.direction == "up"  # 4.6 is shown as 5
    leadership = converted.condition("leadership")
    assert leadership.place.band == "strength"  # 74.6 is shown as 75
    assert leadership.place.division is None
    assert leadership.benchmark.position == "within"  # 75 within "55 to 75"
    assert converted.statement("leadership_s0").agreement == "mixed"  # 50 exactly
    lead = converted.breakdown("lead")
    assert lead.rows[0].gap.big is True  # 14.6 is shown as 15
    assert lead.lead_partners == ["Council"]
    assert [b.key for b in converted.breakdowns] == ["lead", "sector"]
    assert converted.lead_gap.points == 14.6
    # The type is worked out again: a lead gap shown as 15 means one organisation steers.
    assert converted.collaboration_type.key == "weak_steered"
    assert converted.mode == "strong"
    # Figures carried over unchanged.
    assert leadership.place.score == 74.6 and leadership.place.n == 28
    assert [c.text for c in converted.comments] == ["Hello."]


def test_the_migration_converts_stored_results_and_pages_say_what_a_round_lacks(
    client, member_a, place_a
):
    cycle = open_cycle_for(place_a, make_keyed_bank(("leadership",)), min_group_size=5)
    add_responses(cycle, PartnerFactory(place=place_a), count=5)
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    CycleResult.objects.filter(cycle=cycle).update(data=copy.deepcopy(SCHEMA_1))

    from django.apps import apps

    migration.forward(apps, None)
    result = CycleResult.objects.get(cycle=cycle)
    assert result.data["schema"] == 2
    client.force_login(member_a)
    html = client.get(reverse("dashboard", args=[place_a.slug, cycle.pk])).content.decode()
    # The role and size lenses, and how answers split, were never stored for this round.
    assert html.count("Not part of this round's results") == 3
    assert "Small organisations and larger ones" in html
    assert "Not part of this round's results: how answers split was added after" in html
    assert "division-charts" not in html
    assert "Weak collaboration (one organisation steers)" in html
