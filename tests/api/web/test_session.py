"""Sign-in, the session cookie's flags and signature, CSRF on every form, sign-out, and the language switch."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi import Request
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.web import ROUTERS
from api.web import session as web_session
from api.web.render import switch_url
from tests.api.conftest import Api
from tests.api.web.conftest import csrf_of, page_client, sign_in
from tests.api.web.pages import PAGES
from werkwijzer.settings import PUBLISHED_SECRET

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)


def _cookie_header(response_headers: list[tuple[str, str]]) -> str:
    cookies = [v for k, v in response_headers if k == "set-cookie" and v.startswith(web_session.COOKIE + "=")]
    assert len(cookies) == 1
    return cookies[0].lower()


def test_sign_in_with_token_lands_on_the_role_start_page(web: Api) -> None:
    client = page_client(web)
    form = client.get("/aanmelden")
    assert form.status_code == 200 and '<html lang="nl">' in form.text and 'for="token"' in form.text
    r = client.post("/aanmelden", data={"csrf_token": csrf_of(form.text), "token": web.tokens["caseworker"]})
    assert r.status_code == 303 and r.headers["location"] == "/zaken"
    flags = _cookie_header(r.headers.multi_items())
    assert "httponly" in flags and "samesite=strict" in flags and "max-age=" in flags
    assert "secure" not in flags  # plain http on the loopback address only
    assert client.get("/zaken").status_code == 200


def test_cookie_is_secure_off_loopback(web: Api) -> None:
    client = TestClient(web.app, base_url="https://werkwijzer.gemeente.example", follow_redirects=False)
    form = client.get("/aanmelden")
    assert "secure" in _cookie_header(form.headers.multi_items())
    plain = TestClient(web.app, base_url="http://werkwijzer.gemeente.example", follow_redirects=False)
    assert "secure" in _cookie_header(plain.get("/aanmelden").headers.multi_items())


def test_demo_on_all_addresses_can_be_signed_in_at_its_printed_address(web: Api) -> None:
    client = TestClient(web.app, base_url="http://0.0.0.0:8000", follow_redirects=False)  # demo --host 0.0.0.0
    form = client.get("/aanmelden")
    assert "secure" not in _cookie_header(form.headers.multi_items())
    r = client.post("/aanmelden", data={"csrf_token": csrf_of(form.text), "token": web.tokens["caseworker"]})
    assert r.status_code == 303 and r.headers["location"] == "/zaken"


def test_sign_in_over_plain_http_off_this_machine_says_why_it_cannot_work(web: Api) -> None:
    client = TestClient(web.app, base_url="http://192.168.1.20:8000", follow_redirects=False)
    form = client.get("/aanmelden")  # the browser does not keep this Secure cookie over plain http
    client.cookies.clear()
    r = client.post("/aanmelden", data={"csrf_token": csrf_of(form.text), "token": web.tokens["caseworker"]})
    assert r.status_code == 403 and "Aanmelden lukt niet op dit adres" in r.text
    assert "http://127.0.0.1:8000/" in r.text
    r = page_client(web).post("/aanmelden", data={"token": web.tokens["caseworker"]})
    assert r.status_code == 403 and "Formulier verlopen" in r.text, "on this machine: the plain CSRF page"


def test_unknown_token_is_refused_in_dutch(web: Api) -> None:
    client = page_client(web)
    csrf = csrf_of(client.get("/aanmelden").text)
    r = client.post("/aanmelden", data={"csrf_token": csrf, "token": "ww_not-a-token"})
    assert r.status_code == 401
    assert "Deze code kennen we niet" in r.text and 'aria-describedby="token-hint token-error"' in r.text
    assert client.get("/zaken").status_code == 303


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(web: Api) -> None:
    client = page_client(web)
    r = client.get("/zaken?lang=nl")
    assert r.status_code == 303 and r.headers["location"] == "/aanmelden?next=/zaken%3Flang%3Dnl"
    csrf = csrf_of(client.get(r.headers["location"]).text)
    r = client.post(
        "/aanmelden", data={"csrf_token": csrf, "token": web.tokens["caseworker"], "next": "//evil.example/x"}
    )
    assert r.headers["location"] == "/zaken"


def test_sign_in_without_the_forms_csrf_token_is_refused(web: Api) -> None:
    client = page_client(web)
    client.get("/aanmelden")
    r = client.post("/aanmelden", data={"token": web.tokens["caseworker"]})
    assert r.status_code == 403 and "Er is niets opgeslagen" in r.text
    assert client.get("/zaken").status_code == 303


def test_signing_in_replaces_the_session_and_its_csrf_token(web: Api) -> None:
    client = page_client(web)
    before = csrf_of(client.get("/aanmelden").text)
    client.post("/aanmelden", data={"csrf_token": before, "token": web.tokens["caseworker"]})
    after = csrf_of(client.get("/zaken").text)
    assert after != before
    assert client.post("/afmelden", data={"csrf_token": before}).status_code == 403


def test_sign_out_needs_csrf_and_ends_the_session(web: Api) -> None:
    client = sign_in(web, "team_lead")
    csrf = csrf_of(client.get("/").text)
    assert client.post("/afmelden").status_code == 403
    r = client.post("/afmelden", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/aanmelden?uit=1"
    assert "U bent afgemeld" in client.get("/aanmelden?uit=1").text
    assert client.get("/").status_code == 303


def test_a_tampered_or_expired_cookie_counts_as_no_session(web: Api) -> None:
    secret = web.settings.session_secret
    now = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
    session = web_session.new_session(web.user_ids["caseworker"], now)
    value = web_session.encode(session, secret)
    assert web_session.decode(value, secret, now) == session
    assert web_session.decode(value, secret, now + web_session.LIFETIME) is None
    assert web_session.decode(value, "another-secret", now) is None
    _, _, signature = value.partition(".")
    forged = web_session.encode(web_session.new_session(web.user_ids["admin"], now), "guess")
    assert web_session.decode(forged.split(".")[0] + "." + signature, secret, now) is None
    assert web_session.decode("not-a-cookie", secret, now) is None
    client = page_client(web)
    client.cookies.set(web_session.COOKIE, forged)
    assert client.get("/").status_code == 303


def test_a_cookie_signed_with_the_published_development_secret_is_refused(web: Api) -> None:
    """The string earlier versions shipped as the default key signs nothing an app with default settings accepts."""
    assert web.settings.secret_key is None and web.settings.session_secret != PUBLISHED_SECRET
    now = dt.datetime.now(dt.UTC)
    forged = web_session.encode(web_session.new_session(web.user_ids["admin"], now), PUBLISHED_SECRET)
    client = page_client(web)
    client.cookies.set(web_session.COOKIE, forged)
    r = client.get("/modellen")
    assert r.status_code == 303 and r.headers["location"].startswith("/aanmelden")
    genuine = sign_in(web, "admin")
    assert genuine.get("/modellen").status_code == 200


@pytest.mark.parametrize("value", ["é.é", "abc.défg", "☃", "x.\u00ff" * 3])
def test_a_malformed_cookie_or_csrf_value_counts_as_absent_not_a_500(web: Api, value: str) -> None:
    client = page_client(web)  # a browser (or anyone) may send any bytes as the cookie
    assert client.get("/", headers={"cookie": f"{web_session.COOKIE}={value}".encode()}).status_code == 303
    signed = sign_in(web, "caseworker")
    r = signed.post("/afmelden", data={"csrf_token": value})
    assert r.status_code == 403  # refused as a missing token, and still signed in
    assert signed.get("/").status_code == 200


@pytest.mark.parametrize("path", ["//evil.example/x", "/\\evil.example/x", "///evil.example", "/\\/evil.example"])
def test_the_language_link_of_any_page_stays_on_the_site(path: str) -> None:
    """A request for ``//host/x`` (a 404 page, say) links its other language to ``/host/x``, never to the host.
    Built from the ASGI scope, because HTTP clients normalise such paths before sending them."""
    request = Request(
        {
            "type": "http",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"team=a",
            "headers": [(b"host", b"127.0.0.1")],
            "scheme": "http",
            "server": ("127.0.0.1", 80),
        }
    )
    link = switch_url(request, "en")
    assert link.startswith("/") and not link.startswith(("//", "/\\")) and link.endswith("?team=a&lang=en"), link


def test_english_on_request_and_remembered(web: Api) -> None:
    client = sign_in(web, "caseworker")
    r = client.get("/zaken?lang=en")
    assert '<html lang="en">' in r.text and "New cases" in r.text and "The model advises, a person decides." in r.text
    assert '<html lang="en">' in client.get("/zaken").text
    r = client.get("/zaken?lang=nl")
    assert '<html lang="nl">' in r.text and "Het model adviseert, een mens beslist." in r.text
    assert 'href="/zaken?lang=en" lang="en"' in r.text
    r = client.get("/zaken?team=jeugdhulp&lang=en")  # the switch keeps the rest of the query (a team, a scenario)
    assert 'href="/zaken?team=jeugdhulp&amp;lang=nl" lang="nl"' in r.text


def test_pages_send_a_strict_content_security_policy(web: Api) -> None:
    r = page_client(web).get("/aanmelden")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store" and r.headers["x-frame-options"] == "DENY"
    assert "/static/web.css" in r.text and page_client(web).get("/static/web.css").status_code == 200


def test_a_revoked_user_is_signed_out_at_once(web: Api) -> None:
    from casework.clock import utc_now
    from casework.users import create_user, revoke, session_generation

    with web.app.state.sessions() as session:
        user, token = create_user(session, "tijdelijk", "caseworker", utc_now(), ["wmo_meldingen"])
    client = page_client(web)
    csrf = csrf_of(client.get("/aanmelden").text)
    assert client.post("/aanmelden", data={"csrf_token": csrf, "token": token}).status_code == 303
    assert client.get("/zaken").status_code == 200
    with web.app.state.sessions() as session:
        revoke(session, user.id, utc_now())
    assert client.get("/zaken").status_code == 303
    with web.app.state.sessions() as session:
        assert session_generation(session, user.id) == 1, "revoking ends its browser sessions for good"


def test_a_missing_page_is_a_dutch_page_for_browsers_and_json_for_programs(web: Api) -> None:
    client = page_client(web)
    r = client.get("/bestaat-niet", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 404 and "Deze pagina bestaat niet" in r.text and '<html lang="nl">' in r.text
    assert client.get("/bestaat-niet").json() == {"detail": "Not Found"}
    r = client.get("/api/v1/bestaat-niet", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.json() == {"detail": "Not Found"}


def test_every_form_post_route_checks_the_csrf_token() -> None:
    posts = [
        route
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and route.methods - {"GET", "HEAD"}
    ]
    assert posts, "the pages have forms"
    for route in posts:
        assert any(d.call is web_session.check_csrf for d in route.dependant.dependencies), route.path


def test_every_post_form_on_every_page_carries_the_sessions_token(web: Api, page_ids: dict[str, str]) -> None:
    seen = 0
    for path, allowed, name in PAGES:
        for role in sorted(allowed):
            client = sign_in(web, role)
            html = client.get(path.format(**page_ids)).text
            token = csrf_of(html)
            for attributes, body in FORM.findall(html):
                if 'method="post"' in attributes:
                    seen += 1
                    assert f'name="csrf_token" value="{token}"' in body, (name, role, attributes)
    assert seen > len(PAGES), "sign-out on every page, plus the decision, objection and stop-button forms"


def test_every_page_switches_to_english_and_back(web: Api, page_ids: dict[str, str]) -> None:
    for path, allowed, name in PAGES:
        client = sign_in(web, sorted(allowed)[0])
        url = path.format(**page_ids)
        english = client.get(f"{url}?lang=en")
        assert english.status_code == 200 and '<html lang="en">' in english.text, name
        assert f'href="{url}?lang=nl" lang="nl" hreflang="nl">Nederlands</a>' in english.text, name
        dutch = client.get(url)  # remembered
        assert '<html lang="en">' in dutch.text, name
        dutch = client.get(f"{url}?lang=nl")
        assert '<html lang="nl">' in dutch.text and f'href="{url}?lang=en" lang="en"' in dutch.text, name


def test_english_on_a_refused_form_opens_that_form_in_english(web: Api, page_ids: dict[str, str]) -> None:
    client = sign_in(web, "caseworker")
    case = f"/zaken/{page_ids['unadvised']}"
    refused = client.post(f"{case}/besluit", data={"csrf_token": csrf_of(client.get(case).text)})
    assert refused.status_code == 422
    switch = re.search(r'href="([^"]+)" lang="en"', refused.text)
    assert switch is not None
    r = client.get(switch.group(1).replace("&amp;", "&"))
    assert r.status_code == 303 and r.headers["location"] == f"{case}?lang=en#besluit"
    assert '<html lang="en">' in client.get(r.headers["location"]).text
    client.get("/?lang=nl")


def test_a_cookie_copied_before_sign_out_is_refused_after_it(api: Api) -> None:
    """On SQLite and PostgreSQL: sign-out ends the session on the server, not only in this browser."""
    client = sign_in(api, "caseworker")
    copied = page_client(api)
    copied.cookies.set(web_session.COOKIE, client.cookies[web_session.COOKIE])
    old_csrf = csrf_of(client.get("/").text)
    other = sign_in(api, "team_lead")
    assert copied.get("/zaken").status_code == 200
    assert client.post("/afmelden", data={"csrf_token": old_csrf}).status_code == 303
    r = copied.get("/zaken")
    assert r.status_code == 303 and r.headers["location"] == "/aanmelden?next=/zaken"
    assert "Meld u aan met uw persoonlijke code" in copied.get(r.headers["location"]).text
    assert copied.get("/zaken?lang=en").status_code == 303
    assert "Sign in" in copied.get("/aanmelden?lang=en").text
    assert other.get("/").status_code == 200, "another user's session is not touched"

    again = sign_in(api, "caseworker")
    assert again.get("/zaken").status_code == 200
    copied.post("/afmelden", data={"csrf_token": old_csrf})  # an ended session cannot end the new one
    assert again.get("/zaken").status_code == 200
    assert copied.get("/zaken").status_code == 303
