"""Real-browser tests: Playwright for Python driving Debian's Chromium against live_server.

They skip, saying why, where there is no Chromium — except in CI (CI=true), where a missing
browser must fail the run rather than quietly skip it.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

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


@contextmanager
def _async_unsafe_allowed():
    # Playwright's sync API keeps an event loop running on the test's thread, so Django's
    # database calls there (factories, live_server's own setup) would refuse to run. Allowed for
    # these tests alone, and only while one of them is being set up, run or torn down.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


# Playwright for these tests only: started for the first of them and stopped after the last, so
# its event loop no longer runs on the main thread when the rest of the suite uses the database
# (pytest-playwright's own fixtures are session-wide; these replace them, package-wide).
@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts):
    pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    def launch(**kwargs):
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


# Hooks of this conftest run for the items under tests/browser/ only (item.ihook).
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    with _async_unsafe_allowed():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    with _async_unsafe_allowed():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    with _async_unsafe_allowed():
        return (yield)


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
