from __future__ import annotations

from django.test import override_settings

from assessments.charts import Bar, bar_chart


def _chart(**overrides):
    bars = [
        Bar(
            label="<script>alert(1)</script>",
            value=62.5,
            value_text="62 · Developing",
            kind="developing",
        ),
        Bar(label="Hidden group", value=None, value_text="Too few answers to show", kind="concern"),
    ]
    return bar_chart(
        bars,
        chart_id="c1",
        title="Scores & bands",
        description="Two rows",
        thresholds=(50, 75),
        **overrides,
    )


def test_chart_text_is_escaped_and_svg_is_accessible():
    svg = str(_chart())
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'role="img"' in svg and '<title id="c1-title">Scores &amp; bands</title>' in svg
    assert "Too few answers to show" in svg


def test_bar_width_and_suppressed_row():
    svg = str(_chart())
    # 62.5 of 100 on a 280-unit bar area: 175 units.
    assert 'width="175.0"' in svg
    assert svg.count('class="chart-bar ') == 1  # the hidden row draws no bar


@override_settings(LANGUAGE_CODE="de", USE_THOUSAND_SEPARATOR=True)
def test_numbers_are_not_localised_inside_svg():
    from django.utils import translation

    with translation.override("de"):
        svg = str(_chart())
    assert 'width="175.0"' in svg
