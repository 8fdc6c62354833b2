"""
The browser tests' harness: Debian's Chromium (never a downloaded browser) driven by Playwright, against
pytest-django's `live_server`. Loaded as a plugin by tests/conftest.py.

- `chromium`: the browser, once per session. Without /usr/bin/chromium the browser tests skip on a developer's
  machine but fail in CI (CI=true), which installs it first (.ci/run): they must never pass by not running.
- `page`: a fresh page whose `alert`, `confirm`, `prompt` and `print` record their calls instead of opening
  anything (`fired(page)` reads them), in every frame.
- `page` also switches to tests/browser_urls.py: the site, plus the uploaded pictures it links to (which Django
  serves with DEBUG on only).
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots and other files for people to look at after a run (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

# Run before any script of every page and frame: the dialogs record their calls (and say so on the console, which
# the test hears from any frame) rather than open.
DIALOG_HOOKS = """
(() => {
  const fired = [];
  Object.defineProperty(window, "__dialogsFired", { value: fired });
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = (...args) => {
      fired.push(`${name}(${args.join(",")})`);
      console.log(`DIALOG-FIRED ${name}(${args.join(",")})`);
    };
  }
})();
"""

# What a page holds that could run script on a reader's click or hover: event-handler attributes anywhere, and
# addresses the browser itself resolved to a scheme other than http, https or mailto.
DOM_AUDIT = """
() => {
  const found = [];
  const allowed = new Set(["http:", "https:", "mailto:"]);
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (/^on/i.test(attribute.name)) found.push(`<${element.localName} ${attribute.name}>`);
      if (["href", "src", "action", "formaction", "data", "xlink:href"].includes(attribute.name.toLowerCase())) {
        try {
          const protocol = new URL(attribute.value, document.baseURI).protocol;
          if (!allowed.has(protocol)) found.push(`<${element.localName} ${attribute.name}=${protocol}>`);
        } catch (error) { /* not a URL at all: nothing a browser can follow */ }
      }
    }
  }
  return found;
}
"""


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: object, settings) -> Iterator[object]:
    settings.ROOT_URLCONF = "tests.browser_urls"
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(DIALOG_HOOKS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_messages_seen = []
    page.on("console", lambda message: page.console_messages_seen.append(f"{message.text} (on {page.url})"))
    yield page
    context.close()


def fired(page: object) -> list[str]:
    """The dialogs any frame of `page` tried to open since it was created."""
    return [text for text in page.console_messages_seen if text.startswith("DIALOG-FIRED")]


def dom_problems(page: object) -> list[str]:
    return page.evaluate(DOM_AUDIT)


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def node_package(name: str, version: str, file: str) -> Path | None:
    """
    A file of an npm package (installed once into .venv/npm/, git-ignored, with Debian's npm from the npm registry),
    or None when npm or the registry can't be reached.
    """
    prefix = Path(__file__).resolve().parents[1] / ".venv" / "npm"
    target = prefix / "node_modules" / name / file
    if target.exists():
        return target
    npm = shutil.which("npm")
    if npm is None:
        return None
    import subprocess

    result = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), f"{name}@{version}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return target if result.returncode == 0 and target.exists() else None
