"""Real-browser tests: Playwright for Python driving Debian's Chromium against live_server.

They skip, saying why, where there is no Chromium — except in CI (CI=true), where a missing
browser must fail the run rather than quietly skip it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import audit

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    if audit.chromium_path() or audit.in_ci():
        return
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {audit.CHROMIUM}: install Debian's chromium package "
        "(`apt-get install chromium`) to run the browser tests. CI=true runs them regardless."
    )
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # The system Chromium: `playwright install` is never run here.
    return {
        **browser_type_launch_args,
        "executable_path": audit.chromium_path() or audit.CHROMIUM,
        "args": audit.CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args():
    # Replaces the plugin's (which only adds --base-url, --device and --video): pages open on
    # live_server's URL, and a test that needs a phone asks new_context() for its viewport.
    return {"locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture
def check(request):
    """The page checker of this test: axe, HTML capture, phone overflow and screenshots."""
    return audit.Audit(request.node.name)


@pytest.fixture
def new_context(new_context, check):
    # Every browser context of the test reports its pages' documents to the checker.
    def make(**kwargs):
        context = new_context(**kwargs)
        check.watch(context)
        return context

    return make
