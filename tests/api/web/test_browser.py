"""The pages in a real browser: Debian's chromium driven by Playwright, checked with axe-core.

The app of the ``web`` fixture is served by uvicorn on a free loopback port (in a thread, same
database and models as the page unit tests). Every page in ``tests/api/web/pages.PAGES`` is
opened by a role allowed to see it and checked with axe-core (no ``serious`` or ``critical``
violation); with ``WERKWIJZER_SCREENSHOTS=1`` each page is saved to ``docs/img/web-<name>.png``.

Skipped where chromium, Playwright or axe-core (``npm ci``) are missing, unless
``WERKWIJZER_REQUIRE_BROWSER=1`` (set by ``.ci/run``): then a missing piece fails the tests.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.api.conftest import Api
from tests.api.web.conftest import make_advice
from tests.api.web.pages import PAGES

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "img"
BLOCKING = ("serious", "critical")
PUBLIC_PAGES = [("/aanmelden", "aanmelden")]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not AXE.exists():
        return f"{AXE.relative_to(ROOT)} is missing (npm ci)"
    return None


class LiveServer:
    """uvicorn serving an app in a thread; the app's lifespan already ran in the ``web`` fixture."""

    def __init__(self, api: Api) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(
                api.app, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning", access_log=False
            )
        )
        self.thread = threading.Thread(target=self.server.run, name="live-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live(web: Api) -> Iterator[LiveServer]:
    with LiveServer(web) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("WERKWIJZER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here (WERKWIJZER_REQUIRE_BROWSER=1): {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_as(browser: Any, live: LiveServer, api: Api, role: str | None) -> Any:
    """A fresh browser tab, signed in through the form as ``role`` (or not signed in)."""
    # axe-core is injected as a script; the pages' Content-Security-Policy would rightly refuse it.
    context = browser.new_context(
        base_url=live.url, bypass_csp=True, viewport={"width": 1280, "height": 900}, locale="nl-NL"
    )
    page = context.new_page()
    if role is not None:
        page.goto("/aanmelden")
        page.get_by_label("Uw code").fill(api.tokens[role])
        page.get_by_role("button", name="Aanmelden").click()
        page.wait_for_url(lambda url: "/aanmelden" not in url)
    return page


def axe_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def check_page(page: Any, name: str) -> None:
    assert page.locator("html").get_attribute("lang") in ("nl", "en")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
    if os.environ.get("WERKWIJZER_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / f"web-{name}.png"), full_page=True)


@pytest.mark.parametrize(("path", "allowed", "name"), PAGES, ids=[name for _, _, name in PAGES])
def test_every_page_passes_axe(
    browser: Any, live: LiveServer, web: Api, page_ids: dict[str, str], path: str, allowed: frozenset[str], name: str
) -> None:
    page = open_as(browser, live, web, sorted(allowed)[0])
    response = page.goto(path.format(**page_ids))
    assert response is not None and response.status == 200
    check_page(page, name)
    page.context.close()


@pytest.mark.parametrize(("path", "name"), PUBLIC_PAGES, ids=[name for _, name in PUBLIC_PAGES])
def test_public_pages_pass_axe(browser: Any, live: LiveServer, web: Api, path: str, name: str) -> None:
    page = open_as(browser, live, web, None)
    page.goto(path)
    check_page(page, name)
    page.context.close()


def test_caseworker_records_a_decision_that_reaches_the_audit_trail(browser: Any, live: LiveServer, web: Api) -> None:
    advice_id = make_advice(web, 9001)
    page = open_as(browser, live, web, "caseworker")
    assert page.url.endswith("/zaken")
    page.locator(f'a[href="/zaken/{advice_id}"]').click()
    page.wait_for_url(f"**/zaken/{advice_id}")
    suggested = web.client.get(f"/api/v1/advice/{advice_id}", headers=web.headers("caseworker")).json()["suggestion"][
        "suggested_effort_class"
    ]
    other = next(c for c in ("eenvoudig", "gemiddeld", "complex") if c != suggested)

    page.get_by_label("Nee, ik wijk af van het advies").check()
    page.get_by_label("Zwaarte van de zaak volgens u").select_option(other)
    page.get_by_role("button", name="Besluit vastleggen").click()
    error = page.locator("#motivation-error")
    assert error.inner_text() == "Schrijf op waarom u afwijkt. Dat is verplicht."
    assert page.get_by_label("Nee, ik wijk af van het advies").is_checked()  # what was chosen is kept
    check_page(page, "zaak-fout-in-formulier")

    page.get_by_label("Toelichting").fill("Na het gesprek blijkt de situatie eenvoudiger.")
    page.get_by_role("button", name="Besluit vastleggen").click()
    assert page.get_by_role("status").inner_text() == "Uw besluit is vastgelegd."

    with httpx.Client(base_url=live.url) as client:
        events = client.get(
            "/api/v1/audit/events", params={"subject": advice_id}, headers=web.headers("auditor")
        ).json()["events"]
    decided = [e for e in events if e["kind"] == "decision.recorded"]
    assert len(decided) == 1
    assert decided[0]["payload"]["outcome"] == "deviated" and decided[0]["payload"]["final_effort_class"] == other
    page.context.close()


@pytest.mark.parametrize("role", ["team_lead", "model_owner", "auditor", "admin"])
def test_other_roles_cannot_open_the_caseworker_pages(
    browser: Any, live: LiveServer, web: Api, page_ids: dict[str, str], role: str
) -> None:
    page = open_as(browser, live, web, role)
    for path, allowed, _ in PAGES:
        if role in allowed:
            continue
        response = page.goto(path.format(**page_ids))
        assert response is not None and response.status == 403, path
        assert page.get_by_role("heading", level=1).inner_text() == "Geen toegang"
    page.context.close()


def test_keyboard_reaches_the_skip_link_first_and_focus_is_visible(browser: Any, live: LiveServer, web: Api) -> None:
    page = open_as(browser, live, web, "caseworker")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.className, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["skip-link", "solid"]
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#inhoud"
    page.context.close()


def tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_caseworker_decides_with_the_keyboard_only(browser: Any, live: LiveServer, web: Api) -> None:
    advice_id = make_advice(web, 9002)
    page = open_as(browser, live, web, "caseworker")
    tab_to(page, f'a[href="/zaken/{advice_id}"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/zaken/{advice_id}")
    tab_to(page, "#outcome-followed")
    page.keyboard.press("Space")
    tab_to(page, "#final_effort_class")
    suggested = web.client.get(f"/api/v1/advice/{advice_id}", headers=web.headers("caseworker")).json()["suggestion"][
        "suggested_effort_class"
    ]
    for _ in range(page.locator("#final_effort_class option").count()):
        if page.locator("#final_effort_class").input_value() == suggested:
            break
        page.keyboard.press("ArrowDown")
    tab_to(page, 'button[type="submit"]:not(.link-button)')
    page.keyboard.press("Enter")
    assert page.get_by_role("status").inner_text() == "Uw besluit is vastgelegd."
    decision = web.client.get(f"/api/v1/advice/{advice_id}", headers=web.headers("caseworker")).json()["decision"]
    assert decision["outcome"] == "followed" and decision["final_effort_class"] == suggested
    page.context.close()


def test_citizen_letter_prints_without_the_sites_frame(
    browser: Any, live: LiveServer, web: Api, page_ids: dict[str, str]
) -> None:
    page = open_as(browser, live, web, "caseworker")
    page.goto(f"/zaken/{page_ids['advised']}/uitleg")
    frame = ("header.site-header", "a.skip-link", "p.no-print")
    assert all(page.locator(selector).first.is_visible() for selector in frame[:1] + frame[2:])
    page.emulate_media(media="print")
    assert not any(page.locator(selector).first.is_visible() for selector in frame)
    assert page.locator("article.letter h1").is_visible() and page.locator("article.letter p").is_visible()
    page.context.close()


def test_team_lead_runs_a_scenario_and_sees_a_refusal_in_dutch(browser: Any, live: LiveServer, web: Api) -> None:
    from casework import planning
    from werkwijzer.formatting import number

    page = open_as(browser, live, web, "team_lead")
    assert page.url.endswith("/capaciteit"), "the team lead lands on Capaciteit"
    page.get_by_label("Team", exact=True).select_option("bijstand_aanvragen")
    page.get_by_label("Verandering bezetting (FTE)").fill("2,5")
    page.get_by_role("button", name="Reken door").click()
    page.wait_for_url("**fte=2%2C5**")  # a GET form: the scenario is in the address, ready to bookmark
    assert "bezetting +2,5 FTE" in page.get_by_role("status").inner_text()
    weeks = planning.capacity(web.app.state.store, "bijstand_aanvragen", 0.0, 2.5, 0.0)["weeks"]
    available = page.locator("#capaciteit-tabel tbody tr").first.locator("td").nth(3).inner_text()
    assert available == number(weeks[0]["fte_available"], 1)

    page.get_by_label("Verandering instroom (%)").fill("veel")
    page.get_by_role("button", name="Reken door").click()
    assert page.locator("#demand-error").inner_text() == "Vul bij instroom een getal in, bijvoorbeeld 10 of -5."
    assert page.get_by_label("Verandering bezetting (FTE)").input_value() == "2,5", "what was typed is kept"
    check_page(page, "capaciteit-fout-in-scenario")
    page.context.close()


def test_afmelden_ends_a_copied_session_too(browser: Any, live: LiveServer, web: Api) -> None:
    page = open_as(browser, live, web, "auditor")
    cookies = page.context.cookies()
    assert [c["name"] for c in cookies] == ["ww_session"]
    copy = browser.new_context(base_url=live.url)
    copy.add_cookies(cookies)
    other = copy.new_page()
    assert other.goto("/modellen") is not None and other.url.endswith("/modellen")
    page.get_by_role("button", name="Afmelden").click()
    assert page.get_by_role("status").inner_text() == "U bent afgemeld."
    other.goto("/modellen")
    assert "/aanmelden?next=/modellen" in other.url
    assert other.get_by_role("heading", level=1).inner_text() == "Aanmelden"
    copy.close()
    page.context.close()
