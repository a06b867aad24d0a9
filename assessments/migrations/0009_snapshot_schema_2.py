"""Stored results move to snapshot schema 2 (assessments/snapshot.py).

Released results are frozen (DESIGN §6): nothing is worked out again from answers. What each
schema-1 document stores is carried over; its labels are judged again from its stored unrounded
figures, so the rules of DESIGN §5 reach them (a spread of exactly 25 is mixed; a band, an arrow or
a position agrees with the number shown). What schema 1 never stored — the role and size lenses,
the split of answers into unfavourable, neutral and favourable — is listed in `missing`, and pages
say it was not part of that round.
"""

from django.db import migrations

from assessments import scoring

MISSING_FROM_SCHEMA_1 = ["role_lens", "size_lens", "division"]
TITLES = {
    "lead": "Lead partners and the other partners",
    "sector": "By sector",
    "role_level": "By role",
}
ORDER = ["lead", "sector", "role_level"]


def _trend(trend):
    if not trend:
        return None
    change = trend["change"]
    return {
        "previous": trend["previous"],
        "change": change,
        "direction": scoring.trend(change, 0.0).direction,
    }


def _figure(figure, score_key="score"):
    score = figure[score_key]
    spread = figure.get("spread")
    agreement = scoring.agreement(spread) if spread is not None else figure.get("agreement")
    return {
        "score": score,
        "n": figure["n"],
        "band": scoring.band(score),
        "spread": spread,
        "agreement": agreement,
        "division": None,
    }


def _position(score, benchmark):
    if score is None:
        return None
    if scoring.shown(score) > scoring.shown(benchmark["q3"]):
        return "above"
    if scoring.shown(score) < scoring.shown(benchmark["q1"]):
        return "below"
    return "within"


def _condition(condition):
    place = _figure(condition) if condition.get("score") is not None else None
    benchmark = condition.get("benchmark")
    if benchmark:
        benchmark = {
            "median": benchmark["median"],
            "q1": benchmark["q1"],
            "q3": benchmark["q3"],
            "places": benchmark["places"],
            "position": _position(condition.get("score"), benchmark),
        }
    return {
        "key": condition["key"],
        "name": condition["name"],
        "order": condition["order"],
        "statement_count": condition["statement_count"],
        "place": place,
        "dont_know_rate": condition.get("dont_know_rate"),
        "n_answered": condition.get("n_answered"),
        "trend": _trend(condition.get("trend")),
        "benchmark": benchmark,
    }


def _breakdown(heatmap):
    rows = []
    for row in heatmap["rows"]:
        gap = row.get("gap")
        rows.append(
            {
                "condition": row["condition"],
                "cells": {key: _figure(cell) for key, cell in row["cells"].items()},
                "gap": (
                    {
                        "points": gap["points"],
                        "high": gap["high"],
                        "low": gap["low"],
                        "big": scoring.is_big_gap(gap["points"]),
                    }
                    if gap
                    else None
                ),
            }
        )
    return {
        "key": heatmap["key"],
        "title": TITLES.get(heatmap["key"], heatmap["title"]),
        "columns": heatmap["columns"],
        "rows": rows,
        "lead_partners": heatmap.get("lead_partners", []),
    }


def _statement(statement):
    mean = statement.get("mean")
    spread = statement.get("spread")
    return {
        "key": statement["key"],
        "text": statement["text"],
        "condition": statement["condition"],
        "condition_name": statement["condition_name"],
        "reverse_keyed": statement["reverse_keyed"],
        "order": statement["order"],
        "mean": mean,
        "n": statement.get("n") if mean is not None else None,
        "band": scoring.band(mean),
        "spread": spread,
        "agreement": scoring.agreement(spread),
        "n_answered": statement.get("n_answered"),
        "dont_know_rate": statement.get("dont_know_rate"),
        "trend": _trend(statement.get("trend")),
    }


def convert(data):
    """A schema-1 document as schema 2."""
    conditions = [_condition(c) for c in data.get("conditions", [])]
    overall = data.get("overall") or {}
    spread = overall.get("spread")
    lead_gap = data.get("lead_gap")
    spectrum = data.get("spectrum")
    mode = spectrum.get("mode") if spectrum else None
    leadership = next((c for c in conditions if c["key"] == scoring.LEADERSHIP_KEY), None)
    leader = leadership and leadership["place"]
    collaboration = scoring.collaboration_type(
        lead_gap=lead_gap["points"] if lead_gap else None,
        mode=mode,
        leadership_score=leader["score"] if leader else None,
        leadership_agreement=leader["agreement"] if leader else None,
    )
    heatmaps = sorted(data.get("heatmaps", []), key=lambda h: ORDER.index(h["key"]))
    return {
        "schema": 2,
        "k": data["k"],
        "enough_responses": data["enough_responses"],
        "n_responses": data.get("n_responses"),
        "bank": data["bank"],
        "previous_cycle": data.get("previous_cycle"),
        "overall": {
            "score": overall.get("score"),
            "n": overall.get("n"),
            "band": scoring.band(overall.get("score")),
            "spread": spread,
            "agreement": scoring.agreement(spread),
            "trend": _trend(overall.get("trend")),
        },
        "conditions": conditions,
        "breakdowns": [_breakdown(h) for h in heatmaps],
        "lead_gap": (
            {
                "points": lead_gap["points"],
                "first": lead_gap["lead"],
                "second": lead_gap["other"],
                "n_first": lead_gap["n_lead"],
                "n_second": lead_gap["n_other"],
            }
            if lead_gap
            else None
        ),
        "lens_gaps": {},
        "spectrum": (
            {
                "n": spectrum["n"],
                "categories": spectrum["categories"],
                "other": spectrum.get("other"),
            }
            if spectrum
            else None
        ),
        "mode": mode,
        "collaboration_type": {
            "key": collaboration.key,
            "label": collaboration.label,
            "reasons": list(collaboration.reasons),
        },
        "statements": [_statement(s) for s in data.get("statements", [])],
        "highlights": data.get(
            "highlights", {"strongest": [], "weakest": [], "most_divided": [], "dont_know": []}
        ),
        "prompts": data.get("prompts", []),
        "comments": data.get("comments", []),
        "benchmark_window": data["benchmark_window"],
        "missing": MISSING_FROM_SCHEMA_1,
    }


def forward(apps, schema_editor):
    CycleResult = apps.get_model("assessments", "CycleResult")
    for result in CycleResult.objects.all().iterator():
        if result.data.get("schema") == 1:
            result.data = convert(result.data)
            result.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_invitation_erasure"),
    ]

    operations = [
        migrations.RunPython(forward, elidable=False),
    ]
