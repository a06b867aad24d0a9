"""The dashboard's print view, printed to PDF by Chromium, fits A4 portrait for a board meeting:
a sensible number of pages, every section heading in the printed text, and no chart or table
wider than the printable width or taller than a page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser import audit, scenarios

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A4 portrait less print.css's 15 mm margins, in CSS pixels (96 per inch).
MM = 96 / 25.4
PRINTABLE_WIDTH = round((210 - 2 * 15) * MM)  # 680
PRINTABLE_HEIGHT = round((297 - 2 * 15) * MM)  # 1009
A4_POINTS = (210 / 25.4 * 72, 297 / 25.4 * 72)  # 595 × 842
# A board pack, not a ream: the full dashboard below prints on 11, its charts carrying their
# figures as text (the tables beside the division and trend charts, and the list of routed
# statements, are for screens only). Bank v2 added "where we are, and where we need to be" and
# a sentence on routed statements: one page more than v1's 10.
MAX_PAGES = 11

_TOO_BIG_JS = """
([width, height]) => {
  const found = [];
  for (const el of document.querySelectorAll("main table, main figure, main svg, main img")) {
    const box = el.getBoundingClientRect();
    const caption = el.tagName === "TABLE" && el.caption ? ` "${el.caption.innerText}"` : "";
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + caption;
    if (box.right > width + 1 || box.left < -1)
      found.push(`${name} spans ${box.left}–${box.right}`);
    if (el.scrollWidth > el.clientWidth + 1 && el.tagName !== "svg")
      found.push(`${name} clips its content (${el.scrollWidth} > ${el.clientWidth})`);
    if (el.tagName !== "TABLE" && box.height > height)
      found.push(`${name} is ${box.height}px tall, taller than a page`);
  }
  for (const el of document.querySelectorAll("main *:not(.visually-hidden)")) {
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible")
      found.push(`${el.tagName.toLowerCase()}.${el.className} cuts off its content`);
  }
  if (document.documentElement.scrollWidth > width + 1)
    found.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  return found;
}
"""


def test_dashboard_prints_on_a4_portrait(live_server, page, check):
    place = scenarios.make_place()
    cycle = scenarios.released_results(place, scenarios.default_bank())
    scenarios.member(place)
    scenarios.log_in(page, live_server, "member", check)
    page.goto(live_server.url + reverse("dashboard_print", args=[place.slug, cycle.pk]))
    check.page(page, "print view")
    headings = [h.strip() for h in page.locator("main h1, main h2, main h3").all_inner_texts()]
    assert len(headings) >= 10

    pdf = page.pdf(format="A4", print_background=True)
    (audit.ARTIFACTS / "dashboard-print.pdf").write_bytes(pdf)
    pages = audit.pdf_page_count(pdf)
    assert 1 < pages <= MAX_PAGES, f"the printed dashboard has {pages} pages"
    sizes = audit.pdf_page_sizes(pdf)
    assert len(sizes) == pages
    for width, height in sizes:  # portrait A4, to a point
        assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2, sizes
    text = audit.squeeze(audit.pdf_text(pdf))
    missing = [h for h in headings if audit.squeeze(h) not in text]
    assert not missing, f"headings missing from the PDF: {missing}"

    # Laid out as on paper: print styles at the printable width of A4.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": PRINTABLE_WIDTH, "height": PRINTABLE_HEIGHT})
    for heading in headings:
        assert page.get_by_text(heading, exact=True).first.is_visible(), heading
    assert page.get_by_text("Back to the results page").is_hidden()  # screen-only
    too_big = page.evaluate(_TOO_BIG_JS, [PRINTABLE_WIDTH, PRINTABLE_HEIGHT])
    assert not too_big, f"cut off in print: {too_big}"
    page.screenshot(path=check.shot_dir / "print-layout.png", full_page=True)

    check.assert_html_valid()
