"""A real Chromium (Debian's package) driven by Playwright against the app on a local port."""

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"  # tests/browser/package.json pins it
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    # The hook sees the whole session's tests: only this folder's drive a browser.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `sudo apt-get install -y chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_url(app):
    """Serve `app` from a thread on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(request, browser):
    """A fresh browser context, with JavaScript on and off."""
    context = browser.new_context(java_script_enabled=request.param)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _axe_installed() -> bool:
    """The version tests/browser/package.json pins is in node_modules."""
    wanted = json.loads((HERE / "package.json").read_text())["devDependencies"]["axe-core"]
    installed = AXE.parent / "package.json"
    return AXE.exists() and json.loads(installed.read_text())["version"] == wanted


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core from the npm registry, installed into tests/browser/node_modules on first use."""
    if not _axe_installed():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(
                "npm not found: run `sudo apt-get install -y npm` (or sh .ci/system-packages)"
            )
        command = [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--no-package-lock",
            "--prefix",
            str(HERE),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not _axe_installed():
            pytest.fail(f"`{' '.join(command)}` failed:\n{done.stdout}{done.stderr}")
    return AXE


@pytest.fixture
def demo_app(make_app):
    """The shipped content, the demo orders and activity, and an agent and an editor (see
    tests.staff_helpers.PASSWORD), so every page has something on it."""
    from tests.conftest import ROOT
    from tests.staff_helpers import make_user

    app = make_app(CONTENT_DIR=str(ROOT / "content"), RATELIMIT_ENABLED=False)
    seeded = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output
    make_user(app, "agent@example.com", "agent")
    make_user(app, "editor@example.com", "editor")
    return app
