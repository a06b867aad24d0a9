"""The scoring rules of DESIGN §5, with the arithmetic worked by hand in the comments."""

import ast
import sys
from pathlib import Path

import pytest

from assessments import scoring
from assessments.scoring import (
    Benchmark,
    Trend,
    agreement,
    balanced_mean,
    band,
    benchmark,
    collaboration_type,
    display,
    dont_know_rate,
    heatmap_gap,
    is_big_gap,
    lead_gap,
    overall_index,
    respondent_condition_score,
    respondent_overall,
    spectrum_mode,
    spread,
    statement_score,
    trend,
)

SIX_CONDITIONS = (
    "relationships",
    "vision",
    "principles",
    "behaviours",
    "infrastructure",
    "leadership",
)


def _collab(
    *,
    gap: float | None = None,
    mode: str | None = "strong",
    score: float | None = 80.0,
    agreed: str | None = "aligned",
):
    return collaboration_type(
        lead_gap=gap, mode=mode, leadership_score=score, leadership_agreement=agreed
    )


# --- One test per threshold constant ------------------------------------------------------------


def test_strength_min_is_75_judged_on_the_score_shown():
    assert scoring.STRENGTH_MIN == 75.0
    # 74.49 is shown as 74, a developing score; 74.5 is shown as 75, beside "strength".
    assert band(74.49) == "developing"
    assert band(74.5) == "strength"
    assert band(75.0) == "strength"


def test_developing_min_is_50_judged_on_the_score_shown():
    assert scoring.DEVELOPING_MIN == 50.0
    assert band(49.49) == "concern"
    assert band(49.5) == "developing"
    assert band(50.0) == "developing"


def test_aligned_max_spread_is_25_judged_on_the_exact_spread():
    assert scoring.ALIGNED_MAX_SPREAD == 25.0
    assert agreement(24.99) == "aligned"
    assert agreement(25.0) == "mixed"
    # A spread that is 25 on paper, computed in floating point just below it, is still mixed.
    assert agreement(24.999999999999996) == "mixed"


def test_polarised_min_spread_is_50_and_exactly_50_is_still_mixed():
    assert scoring.POLARISED_MIN_SPREAD == 50.0
    assert agreement(50.0) == "mixed"
    assert agreement(50.00000000000001) == "mixed"
    assert agreement(50.01) == "polarised"


def test_a_float_spread_of_50_gets_the_label_of_50():
    # Two people at 100/3 and two at 250/3: on paper the spread is 50 (mixed); interpolating in
    # floating point gives 49.99999999999999.
    value = spread([250 / 3, 100 / 3, 100 / 3, 250 / 3])
    assert value != 50.0 and value == pytest.approx(50.0, abs=1e-9)
    assert agreement(value) == "mixed"
    assert agreement(value + 25 - 50) == "mixed"  # and the same noise at 25


def test_spread_percentiles_are_15th_and_85th():
    assert (scoring.SPREAD_LOW_PERCENTILE, scoring.SPREAD_HIGH_PERCENTILE) == (15, 85)
    # Ten people at 0 and ten at 100, inclusive method: position = p × (20 − 1).
    # 15th: 0.15 × 19 = 2.85 → between the 3rd and 4th values (both 0) → 0.
    # 85th: 0.85 × 19 = 16.15 → between the 17th and 18th values (both 100) → 100.
    assert spread([0.0] * 10 + [100.0] * 10) == 100.0
    # Three people at each extreme, fourteen at 50. Sorted, values 1–3 are 0, 4–17 are 50,
    # 18–20 are 100. 15th: 2.85 → 0 + 0.85 × (50 − 0) = 42.5; 85th: 16.15 → 50 + 0.15 × 50
    # = 57.5; spread 15, aligned. The 10th/90th (positions 1.9 and 17.1) would give 0 and 100.
    scores = [0.0] * 3 + [50.0] * 14 + [100.0] * 3
    assert spread(scores) == 15.0
    assert agreement(spread(scores)) == "aligned"


def test_lead_gap_weak_is_15_judged_on_the_gap_shown():
    assert scoring.LEAD_GAP_WEAK == 15.0
    assert _collab(gap=14.49).key == "strong"
    assert _collab(gap=14.5).key == "weak_steered"  # shown as 15 in its reason
    assert _collab(gap=15.0).key == "weak_steered"


def test_strong_leadership_min_is_75_judged_on_the_score_shown():
    assert scoring.STRONG_LEADERSHIP_MIN == 75.0
    assert _collab(score=74.49).key == "developing"
    assert _collab(score=74.5).key == "strong"
    assert _collab(score=75.0).key == "strong"


def test_trend_min_change_is_5_judged_on_the_change_shown():
    assert scoring.TREND_MIN_CHANGE == 5.0
    assert trend(64.49, 60.0).direction is None
    assert trend(64.5, 60.0).direction == "up"
    assert trend(65.0, 60.0).direction == "up"
    # −4.5 rounds half up to −4: no arrow; −5.5 rounds to −5: down.
    assert trend(55.5, 60.0).direction is None
    assert trend(55.49, 60.0).direction == "down"
    assert trend(55.0, 60.0).direction == "down"


def test_a_change_is_the_difference_of_the_scores_shown():
    # 52.4 and 61.5 are shown as 52 and 62: the change shown is 10, though 61.5 − 52.4 is 9.1.
    assert scoring.shown_change(61.5, 52.4) == 10
    assert scoring.shown_change(61.4, 52.5) == 8
    # The arrow is judged on that change: 4.6 points apart, but shown as 60 and 65.
    assert trend(64.5, 59.9).direction == "up"
    assert trend(64.4, 59.5).direction is None  # 64 and 60, though 4.9 apart
    assert trend(55.4, 60.4).direction == "down"  # 55 and 60


def test_heatmap_gap_min_is_15_judged_on_the_gap_shown():
    assert scoring.HEATMAP_GAP_MIN == 15.0
    assert not is_big_gap(14.49)
    assert is_big_gap(14.5)
    assert is_big_gap(15.0)
    assert not is_big_gap(None)


def test_benchmark_min_places_is_5():
    assert scoring.BENCHMARK_MIN_PLACES == 5
    assert benchmark(60.0, [40.0, 50.0, 60.0, 70.0]) is None
    assert benchmark(60.0, [40.0, 50.0, 60.0, 70.0, 80.0]) is not None


def test_benchmark_window_is_24_months():
    # Used by the aggregation code to pick the other places; here only its value is fixed.
    assert scoring.BENCHMARK_WINDOW_MONTHS == 24


def test_min_answered_share_is_half_and_half_is_enough():
    assert scoring.MIN_ANSWERED_SHARE == 0.5
    # 3 of 6 is exactly half: counts. Mean = 150 / 3 = 50.
    assert respondent_condition_score(150.0, 3, 6) == 50.0
    # 3 of 7 is less than half (3.5): missing.
    assert respondent_condition_score(150.0, 3, 7) is None
    # 4 of 7 is more than half: 200 / 4 = 50.
    assert respondent_condition_score(200.0, 4, 7) == 50.0


def test_min_group_sizes():
    assert scoring.DEFAULT_MIN_GROUP_SIZE == 5
    assert scoring.LOWEST_MIN_GROUP_SIZE == 3


def test_leadership_key_and_spectrum_order():
    assert scoring.LEADERSHIP_KEY == "leadership"
    assert scoring.SPECTRUM_ORDER == ("cooperation", "partnership", "weak", "strong")


# --- Statements and respondents -----------------------------------------------------------------


def test_statement_score_puts_1_to_5_on_0_to_100():
    assert [statement_score(v, reverse_keyed=False) for v in range(1, 6)] == [0, 25, 50, 75, 100]


def test_reverse_keyed_statement_score_runs_the_other_way():
    # "One organisation usually decides": strongly agree (5) is the unhealthy end → 0.
    assert [statement_score(v, reverse_keyed=True) for v in range(1, 6)] == [100, 75, 50, 25, 0]


@pytest.mark.parametrize("value", [0, 6, -1])
def test_statement_score_rejects_values_outside_1_to_5(value):
    with pytest.raises(ValueError, match=rf"^An answer must be 1 to 5, not {value}\.$"):
        statement_score(value, reverse_keyed=False)


def test_respondent_with_nothing_scored_has_no_condition_score():
    # Six statements all answered "don't know": nothing scored.
    assert respondent_condition_score(0.0, 0, 6) is None
    assert respondent_condition_score(0.0, 0, 0) is None


def test_respondent_overall_is_mean_of_conditions_present():
    # (80 + 60 + 40) / 3 = 60; the missing condition is skipped, not counted as 0.
    assert respondent_overall([80.0, None, 60.0, 40.0]) == 60.0
    assert respondent_overall([None, None]) is None
    assert respondent_overall([]) is None


# --- Groups and the place -----------------------------------------------------------------------


def test_balanced_mean_counts_every_partner_equally():
    # Partner A: (100 + 50) / 2 = 75; partner B: 25; balanced = (75 + 25) / 2 = 50,
    # whereas the plain mean of all three respondents would be 175 / 3 = 58.3.
    assert balanced_mean({"A": [100.0, 50.0], "B": [25.0]}) == 50.0


def test_balanced_mean_ignores_partners_without_values():
    # C has no respondent in this group, so it is not a partner "present": (75 + 25) / 2 = 50.
    assert balanced_mean({"A": [75.0], "B": [25.0], "C": []}) == 50.0
    assert balanced_mean({"C": []}) is None
    assert balanced_mean({}) is None


def test_balanced_mean_of_thirds_lands_exactly_on_a_threshold():
    # A: (50 + 75 + 75) / 3 = 66.67; B: (75 + 75 + 100) / 3 = 83.33; together exactly 75,
    # which must stay a strength rather than slip to 74.99999999999999.
    score = balanced_mean({"A": [50.0, 75.0, 75.0], "B": [75.0, 75.0, 100.0]})
    assert score == 75.0
    assert band(score) == "strength"


def test_overall_index_is_mean_of_all_six_conditions():
    scores = dict(zip(SIX_CONDITIONS, [90.0, 80.0, 70.0, 60.0, 50.0, 40.0], strict=True))
    # (90 + 80 + 70 + 60 + 50 + 40) / 6 = 390 / 6 = 65.
    assert overall_index(scores, SIX_CONDITIONS) == 65.0


def test_overall_index_needs_every_condition():
    scores = dict.fromkeys(SIX_CONDITIONS, 70.0)
    assert overall_index({**scores, "leadership": None}, SIX_CONDITIONS) is None
    del scores["vision"]
    assert overall_index(scores, SIX_CONDITIONS) is None
    assert overall_index({}, []) is None


def test_band_of_no_score_is_none():
    assert band(None) is None
    assert band(0.0) == "concern"
    assert band(100.0) == "strength"


# --- Agreement ----------------------------------------------------------------------------------


def test_spread_on_a_known_list():
    # Inclusive method: the p-th percentile sits at position p × (n − 1) in the sorted list,
    # interpolating between neighbours. For [0, 25, 50, 75, 100], n − 1 = 4:
    # 15th: 0.15 × 4 = 0.6 → 0 + 0.6 × (25 − 0) = 15
    # 85th: 0.85 × 4 = 3.4 → 75 + 0.4 × (100 − 75) = 85
    # spread = 85 − 15 = 70 → polarised.
    assert spread([0.0, 25.0, 50.0, 75.0, 100.0]) == 70.0
    assert agreement(spread([100.0, 75.0, 50.0, 25.0, 0.0])) == "polarised"  # order irrelevant


def test_spread_exactly_25_is_mixed():
    # Ten people at 25 and ten at 50. n − 1 = 19.
    # 15th: 0.15 × 19 = 2.85 → 3rd and 4th values, both 25 → 25.
    # 85th: 0.85 × 19 = 16.15 → 17th and 18th values, both 50 → 50. Spread 25 → mixed.
    value = spread([25.0] * 10 + [50.0] * 10)
    assert value == 25.0
    assert agreement(value) == "mixed"


def test_spread_ignores_one_outlier_where_max_minus_min_would_not():
    # Nineteen people at 50 and one at 100: max − min is 50, but the 85th percentile sits at
    # 0.85 × 19 = 16.15, between the 17th and 18th values (both 50), so the spread is 0.
    value = spread([50.0] * 19 + [100.0])
    assert value == 0.0
    assert agreement(value) == "aligned"


def test_spread_needs_two_scores():
    assert spread([]) is None
    assert spread([60.0]) is None
    assert spread([60.0, 60.0]) == 0.0
    assert agreement(None) is None


def test_dont_know_rate():
    assert dont_know_rate(3, 12) == 0.25
    assert dont_know_rate(0, 5) == 0.0
    assert dont_know_rate(0, 0) is None


# --- Lead gap and collaboration type ------------------------------------------------------------


def test_lead_gap_is_lead_minus_others():
    assert lead_gap(80.0, 49.0) == 31.0
    assert lead_gap(40.0, 55.0) == -15.0


def test_lead_gap_needs_both_groups_shown():
    assert lead_gap(None, 49.0) is None
    assert lead_gap(80.0, None) is None


def test_spectrum_mode_is_the_most_common_type():
    counts = {"cooperation": 2, "partnership": 1, "weak": 3, "strong": 7}
    assert spectrum_mode(counts, k=5) == "strong"


def test_spectrum_mode_needs_k_people_behind_it():
    assert spectrum_mode({"strong": 5, "weak": 1}, k=5) == "strong"
    assert spectrum_mode({"strong": 4, "weak": 1}, k=5) is None
    assert spectrum_mode({"strong": 3}, k=3) == "strong"


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"weak": 4, "strong": 4}, "weak"),
        ({"cooperation": 3, "strong": 3}, "cooperation"),
        ({"partnership": 5, "weak": 5, "strong": 5}, "partnership"),
        ({"cooperation": 2, "partnership": 2, "weak": 2, "strong": 2}, "cooperation"),
    ],
)
def test_spectrum_mode_tie_goes_to_the_weaker_type(counts, expected):
    assert spectrum_mode(counts, k=2) == expected


def test_spectrum_mode_without_answers_is_none():
    assert spectrum_mode({}, k=3) is None
    assert spectrum_mode(dict.fromkeys(scoring.SPECTRUM_ORDER, 0), k=3) is None
    # A blank choice (question skipped) is not a type.
    assert spectrum_mode({"": 9, "partnership": 3}, k=3) == "partnership"


def test_rule_1_big_lead_gap_means_one_organisation_steers():
    # Even when most people say "all at the helm" with a high leadership score.
    result = _collab(gap=31.4, mode="strong", score=90.0)
    assert result.key == "weak_steered"
    assert result.label == "Weak collaboration (one organisation steers)"
    assert result.reasons == (
        "Lead partners rate shared leadership and power 31 points higher than the other "
        "partners do, so one organisation appears to be steering.",
    )


def test_rule_1_applies_even_without_spectrum_answers():
    assert _collab(gap=20.0, mode=None).key == "weak_steered"


def test_rule_1_does_not_fire_when_others_rate_higher_or_gap_unknown():
    assert _collab(gap=-30.0).key == "strong"
    assert _collab(gap=None).key == "strong"


def test_rule_2_mode_on_one_boat_is_weak_collaboration():
    result = _collab(gap=5.0, mode="weak", score=90.0)
    assert result.key == "weak"
    assert result.label == "Weak collaboration"
    assert "one organisation's boat" in result.reasons[0]


def test_spectrum_tie_between_weak_and_strong_labels_weak():
    mode = spectrum_mode({"weak": 6, "strong": 6}, k=5)
    assert _collab(mode=mode, score=90.0).key == "weak"


def test_rule_3_strong_collaboration():
    result = _collab(mode="strong", score=82.3, agreed="aligned")
    assert result.key == "strong"
    assert result.label == "Strong collaboration"
    assert result.reasons == (
        "The answer given most often was that all partners share the steering, and shared "
        "leadership and power scores 82, at or above the 75 needed for strong collaboration, "
        "and people largely agree about it.",
    )


def test_rule_3_mixed_agreement_is_still_strong():
    result = _collab(mode="strong", score=75.0, agreed="mixed")
    assert result.key == "strong"
    assert result.reasons[0].endswith(", though views vary.")


def test_rule_3_low_leadership_score_is_developing():
    result = _collab(mode="strong", score=68.2, agreed="aligned")
    assert result.key == "developing"
    assert result.label == "Developing collaboration"
    assert result.reasons == (
        "The answer given most often was that all partners share the steering, but shared "
        "leadership and power scores 68, below the 75 needed for strong collaboration.",
    )


def test_rule_3_reason_never_shows_75_as_below_75():
    # 74.6 is shown as 75, so it meets the 75 the reason quotes: never "75, below the 75".
    result = _collab(mode="strong", score=74.6)
    assert result.key == "strong"
    assert "scores 75, at or above the 75 needed" in result.reasons[0]
    result = _collab(mode="strong", score=74.4)
    assert result.key == "developing"
    assert "scores 74, below the 75 needed" in result.reasons[0]


def test_rule_3_polarised_leadership_is_developing():
    result = _collab(mode="strong", score=88.0, agreed="polarised")
    assert result.key == "developing"
    assert "sharply divided" in result.reasons[0]
    assert "below the 75" not in result.reasons[0]


def test_rule_3_reason_names_both_failures():
    result = _collab(mode="strong", score=60.0, agreed="polarised")
    assert result.key == "developing"
    assert result.reasons == (
        "The answer given most often was that all partners share the steering, but shared "
        "leadership and power scores 60, below the 75 needed for strong collaboration, and "
        "people are sharply divided about shared leadership and power: some rate it high and "
        "others low.",
    )


def test_rule_3_without_a_leadership_score_is_developing():
    result = _collab(mode="strong", score=None, agreed=None)
    assert result.key == "developing"
    assert "not enough answers on shared leadership and power" in result.reasons[0]


@pytest.mark.parametrize(
    ("mode", "key", "label"),
    [("partnership", "partnership", "Partnership"), ("cooperation", "cooperation", "Co-operation")],
)
def test_rule_4_otherwise_the_mode(mode, key, label):
    result = _collab(mode=mode, score=95.0)
    assert (result.key, result.label) == (key, label)
    assert "rather than collaboration" in result.reasons[0]


def test_no_spectrum_answers_and_no_lead_gap_is_unknown():
    result = _collab(gap=3.0, mode=None)
    assert result.key == "unknown"
    assert result.label == "Not enough answers to say"
    assert result.reasons


def test_unknown_spectrum_type_is_an_error():
    with pytest.raises(ValueError, match=r"^Unknown spectrum type 'helm'\.$"):
        _collab(mode="helm")


def test_every_label_has_at_least_one_reason():
    for gap, mode in [(20.0, None), (None, None), (None, "weak"), (None, "strong")]:
        assert _collab(gap=gap, mode=mode).reasons
    for mode in ("partnership", "cooperation"):
        assert _collab(mode=mode).reasons


# --- Every reason in full: the words partnerships read ------------------------------------------

SAID_HELM = "The answer given most often was that all partners share the steering"
NEEDED = "the 75 needed for strong collaboration"
DIVIDED = (
    "people are sharply divided about shared leadership and power: some rate it high and others low"
)
NO_SCORE = "there are not enough answers on shared leadership and power to confirm it"
STEERED = (
    "Lead partners rate shared leadership and power {} points higher than the other partners "
    "do, so one organisation appears to be steering."
)


@pytest.mark.parametrize(
    ("inputs", "key", "reason"),
    [
        # Rule 1, at its edge and above: the gap quoted is the gap shown.
        ({"gap": 14.5}, "weak_steered", STEERED.format(15)),
        ({"gap": 15.0, "mode": None}, "weak_steered", STEERED.format(15)),
        ({"gap": 49.6, "mode": "cooperation"}, "weak_steered", STEERED.format(50)),
        # Rule 1 not met (14.49 is shown as 14, a negative gap is the others rating higher).
        (
            {"gap": 14.49, "mode": "weak"},
            "weak",
            "The answer given most often was that partners are on one organisation's boat: it "
            "steers, and the others are asked for an opinion now and then.",
        ),
        (
            {"gap": -40.0, "mode": None},
            "unknown",
            "Not enough people answered the question about how the partners work together to "
            "say what kind of collaboration this is.",
        ),
        # Rule 3, strong: each agreement, and none at all (no "None" in the words).
        (
            {"score": 75.0, "agreed": "aligned"},
            "strong",
            f"{SAID_HELM}, and shared leadership and power scores 75, at or above {NEEDED}, and "
            "people largely agree about it.",
        ),
        (
            {"score": 74.5, "agreed": "mixed"},
            "strong",
            f"{SAID_HELM}, and shared leadership and power scores 75, at or above {NEEDED}, "
            "though views vary.",
        ),
        (
            {"score": 75.0, "agreed": None},
            "strong",
            f"{SAID_HELM}, and shared leadership and power scores 75, at or above {NEEDED}.",
        ),
        (
            {"score": 100.0, "agreed": None},
            "strong",
            f"{SAID_HELM}, and shared leadership and power scores 100, at or above {NEEDED}.",
        ),
        # Rule 3, developing: each failure alone and together, at the edges.
        (
            {"score": 75.0, "agreed": "polarised"},
            "developing",
            f"{SAID_HELM}, but {DIVIDED}.",
        ),
        (
            {"score": 74.5, "agreed": "polarised"},
            "developing",
            f"{SAID_HELM}, but {DIVIDED}.",
        ),
        (
            {"score": 74.49, "agreed": "aligned"},
            "developing",
            f"{SAID_HELM}, but shared leadership and power scores 74, below {NEEDED}.",
        ),
        (
            {"score": 74.49, "agreed": None},
            "developing",
            f"{SAID_HELM}, but shared leadership and power scores 74, below {NEEDED}.",
        ),
        (
            {"score": 74.49, "agreed": "polarised"},
            "developing",
            f"{SAID_HELM}, but shared leadership and power scores 74, below {NEEDED}, and "
            f"{DIVIDED}.",
        ),
        (
            {"score": 0.0, "agreed": "mixed"},
            "developing",
            f"{SAID_HELM}, but shared leadership and power scores 0, below {NEEDED}.",
        ),
        ({"score": None, "agreed": None}, "developing", f"{SAID_HELM}, but {NO_SCORE}."),
        ({"score": None, "agreed": "aligned"}, "developing", f"{SAID_HELM}, but {NO_SCORE}."),
        (
            {"score": None, "agreed": "polarised"},
            "developing",
            f"{SAID_HELM}, but {NO_SCORE}, and {DIVIDED}.",
        ),
        # Rule 4.
        (
            {"mode": "partnership", "score": 95.0},
            "partnership",
            "The answer given most often was that partners have signed up to an agenda that "
            "someone else set, which is partnership rather than collaboration.",
        ),
        (
            {"mode": "cooperation", "score": None, "agreed": None},
            "cooperation",
            "The answer given most often was that partners work alongside each other towards "
            "their own goals, which is co-operation rather than collaboration.",
        ),
    ],
)
def test_every_collaboration_type_gives_its_reason_in_full(inputs, key, reason):
    result = _collab(**inputs)
    assert result.key == key
    assert result.label == scoring._LABELS[key]
    assert result.reasons == (reason,)


def test_every_label_in_full():
    assert scoring._LABELS == {
        "weak_steered": "Weak collaboration (one organisation steers)",
        "weak": "Weak collaboration",
        "strong": "Strong collaboration",
        "developing": "Developing collaboration",
        "partnership": "Partnership",
        "cooperation": "Co-operation",
        "unknown": "Not enough answers to say",
    }


@pytest.mark.parametrize(
    ("counts", "k", "mode", "key"),
    [
        # Ties settle on the weaker type, and then on that type's rule.
        ({"strong": 5, "weak": 5}, 5, "weak", "weak"),
        ({"strong": 5, "partnership": 5}, 5, "partnership", "partnership"),
        ({"partnership": 5, "cooperation": 5}, 5, "cooperation", "cooperation"),
        ({"strong": 6, "weak": 5}, 5, "strong", "strong"),  # one more is no tie
        # A tie below k is no mode at all, even with a third type further behind.
        ({"strong": 4, "weak": 4, "cooperation": 1}, 5, None, "unknown"),
        # Exactly k behind the mode counts.
        ({"cooperation": 3}, 3, "cooperation", "cooperation"),
        ({"cooperation": 2}, 3, None, "unknown"),
    ],
)
def test_ties_and_k_decide_the_mode_and_so_the_type(counts, k, mode, key):
    assert spectrum_mode(counts, k=k) == mode
    assert _collab(mode=spectrum_mode(counts, k=k)).key == key


@pytest.mark.parametrize(
    ("gaps", "reasons"),
    [
        ({"role_lens": 14.49, "size_lens": -14.49}, ()),
        ({"role_lens": None, "size_lens": None}, ()),
        (
            {"role_lens": 14.5},
            (
                "People who lead and manage rate shared leadership and power 15 points higher "
                "than people who deliver services or live here do.",
            ),
        ),
        (
            {"role_lens": -15.0, "size_lens": 15.0},
            (
                "People who deliver services or live here rate shared leadership and power 15 "
                "points higher than people who lead and manage do.",
                "Larger organisations rate shared leadership and power 15 points higher than "
                "small organisations do.",
            ),
        ),
        (
            {"size_lens": -30.2},
            (
                "Small organisations rate shared leadership and power 30 points higher than "
                "larger organisations do.",
            ),
        ),
    ],
)
def test_lens_gap_reasons_in_full_at_their_edges(gaps, reasons):
    assert scoring.lens_gap_reasons(gaps) == reasons
    result = collaboration_type(
        lead_gap=None,
        mode="partnership",
        leadership_score=None,
        leadership_agreement=None,
        lens_gaps=gaps,
    )
    assert result.key == "partnership"
    assert result.reasons[1:] == reasons


def test_the_lens_gap_words_in_full():
    assert scoring.LENS_GAP_WORDS == {
        "role_lens": ("people who lead and manage", "people who deliver services or live here"),
        "size_lens": ("larger organisations", "small organisations"),
    }


def test_dont_know_rate_of_a_single_answer():
    # One answer: all of it, or none of it, was "don't know"; there is a rate either way.
    assert dont_know_rate(1, 1) == 1.0
    assert dont_know_rate(0, 1) == 0.0
    assert dont_know_rate(1, 2) == 0.5
    assert dont_know_rate(1, 0) is None


def test_one_scored_statement_is_enough_when_it_is_half():
    # 1 of 2 is half: counts; 1 of 1 is all of it.
    assert respondent_condition_score(75.0, 1, 2) == 75.0
    assert respondent_condition_score(100.0, 1, 1) == 100.0
    assert respondent_condition_score(75.0, 1, 3) is None


def test_a_label_with_lens_gap_reasons_keeps_its_label():
    result = collaboration_type(
        lead_gap=None,
        mode="strong",
        leadership_score=90.0,
        leadership_agreement="aligned",
        lens_gaps={"role_lens": 20.0},
    )
    assert (result.key, result.label) == ("strong", "Strong collaboration")
    assert len(result.reasons) == 2


def test_a_fall_keeps_its_change_beside_the_arrow():
    assert trend(50.0, 60.0) == Trend(change=-10.0, direction="down")
    assert trend(60.0, 50.0) == Trend(change=10.0, direction="up")


def test_two_shown_cells_have_a_gap():
    # The smallest heatmap row with a gap: two cells shown, one hidden.
    assert heatmap_gap([60.0, None, 45.0]) == 15.0
    assert heatmap_gap([60.0, 45.0]) == 15.0
    assert heatmap_gap([60.0]) is None


# --- Comparisons --------------------------------------------------------------------------------


def test_trend_reports_the_change():
    assert trend(72.5, 60.0) == Trend(change=12.5, direction="up")
    assert trend(58.0, 60.0) == Trend(change=-2.0, direction=None)


def test_trend_needs_both_cycles():
    assert trend(70.0, None) == Trend(change=None, direction=None)
    assert trend(None, 70.0) == Trend(change=None, direction=None)


def test_benchmark_quartiles_and_position():
    # Five others, inclusive quartiles at positions p × (5 − 1):
    # q1: 0.25 × 4 = 1 → 50; median: 2 → 60; q3: 3 → 70.
    others = [80.0, 40.0, 60.0, 50.0, 70.0]
    result = benchmark(71.0, others)
    assert result == Benchmark(median=60.0, q1=50.0, q3=70.0, n_places=5, position="above")
    assert benchmark(70.0, others).position == "within"  # the edges belong to the middle half
    assert benchmark(50.0, others).position == "within"
    # Judged on the numbers shown: 70.4 is shown as 70, within "50 to 70"; 49.5 as 50.
    assert benchmark(70.4, others).position == "within"
    assert benchmark(70.5, others).position == "above"
    assert benchmark(49.5, others).position == "within"
    assert benchmark(49.4, others).position == "below"
    assert benchmark(None, others).position is None


def test_benchmark_interpolates_between_places():
    # Six others, positions p × 5: q1 at 1.25 → 20 + 0.25 × 10 = 22.5; median at 2.5 → 35;
    # q3 at 3.75 → 40 + 0.75 × 10 = 47.5.
    result = benchmark(30.0, [10.0, 20.0, 30.0, 40.0, 50.0, 60.0])
    assert (result.q1, result.median, result.q3) == (22.5, 35.0, 47.5)
    assert result.n_places == 6


def test_heatmap_gap_uses_only_shown_cells():
    # Shown cells 60, 45, 80 (one hidden): 80 − 45 = 35.
    assert heatmap_gap([60.0, None, 45.0, 80.0]) == 35.0
    assert is_big_gap(heatmap_gap([60.0, None, 45.0, 80.0]))
    assert heatmap_gap([60.0, None]) is None
    assert heatmap_gap([]) is None


def test_display_rounds_half_up():
    assert display(None) == ""
    assert display(0.0) == "0"
    assert display(75.0) == "75"
    assert display(100.0) == "100"
    assert display(74.6) == "75"
    assert display(74.5) == "75"
    assert display(74.49) == "74"
    assert display(49.99) == "50"
    assert display(-4.6) == "-5"
    assert display(-4.5) == "-4"  # half up, towards the larger number
    # Float noise never moves a number: 74.49999999999999 is 74.5 on paper.
    assert display(74.49999999999999) == "75"


def test_lens_gaps_are_given_as_reasons_beside_the_type():
    result = collaboration_type(
        lead_gap=3.0,
        mode="strong",
        leadership_score=80.0,
        leadership_agreement="aligned",
        lens_gaps={"role_lens": 18.2, "size_lens": -14.4},
    )
    assert result.key == "strong"  # a lens gap never decides the label
    assert result.reasons[1:] == (
        "People who lead and manage rate shared leadership and power 18 points higher than "
        "people who deliver services or live here do.",
    )
    result = collaboration_type(
        lead_gap=None,
        mode="weak",
        leadership_score=None,
        leadership_agreement=None,
        lens_gaps={"size_lens": -14.5},
    )
    assert result.reasons[1:] == (
        "Small organisations rate shared leadership and power 15 points higher than larger "
        "organisations do.",
    )


# --- Purity -------------------------------------------------------------------------------------


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
    return names


@pytest.mark.parametrize(
    ("module", "allowed_project_modules"),
    [("scoring", set()), ("suppression", {"assessments.scoring"})],
)
def test_scoring_modules_are_pure_python(module, allowed_project_modules):
    path = Path(scoring.__file__).with_name(f"{module}.py")
    imported = _imported_modules(path)
    assert not any(name == "django" or name.startswith("django.") for name in imported)
    outside_stdlib = {
        name for name in imported if name.split(".")[0] not in sys.stdlib_module_names
    }
    assert outside_stdlib <= allowed_project_modules


# --- Routed statements (DESIGN §5, bank v2) ---


def test_statements_asked_leaves_routed_ones_out_only_for_people_not_in_meetings():
    assert scoring.statements_asked(4, 2, in_meetings=True) == 6
    assert scoring.statements_asked(4, 2, in_meetings=False) == 4
    assert scoring.statements_asked(4, 2, in_meetings=None) == 6  # never asked: all were put


def test_not_asked_is_not_in_the_half_answered_denominator():
    # Two scored of the four asked of someone outside meetings is half: they count …
    asked = scoring.statements_asked(4, 4, in_meetings=False)
    assert scoring.respondent_condition_score(150, 2, asked) == 75
    # … two of the eight asked of someone in meetings is not.
    asked = scoring.statements_asked(4, 4, in_meetings=True)
    assert scoring.respondent_condition_score(150, 2, asked) is None
