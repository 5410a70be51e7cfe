from tests.conftest import csrf_token


def test_security_headers_on_every_page(client, login_as):
    for path in ("/login", "/nonexistent"):
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"].startswith(
            "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"
    login_as("caseworker")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_lax(client):
    client.get("/login")
    cookie = client.get_cookie("caseapp_session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_no_inline_scripts_or_styles(client, login_as):
    login_as("admin")
    for path in ("/", "/admin/users/", "/structures/", "/admin/audit/", "/account/password"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and "onclick=" not in page and "style=" not in page
        assert "<script src=\"/static/" in page
        assert "//cdn" not in page and "https://" not in page


def test_language_switch_to_english_and_back(client):
    token = csrf_token(client)
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and ">Log in<" in page
    client.post("/language", data={"csrf_token": csrf_token(client), "locale": "el", "next": "//evil.example"})
    assert 'lang="el"' in client.get("/login").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_next(client):
    response = client.post("/language", data={"csrf_token": csrf_token(client), "locale": "xx",
                                              "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_error_pages_leak_nothing(client, login_as):
    login_as("caseworker")
    page = client.get("/admin/users/")
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert "Traceback" not in text and "users.manage" not in text


def test_unexpected_errors_show_a_generic_page(app, client, login_as, monkeypatch):
    login_as("caseworker")
    from caseapp.main import views

    def explode(*_a, **_k):
        raise ValueError("secret detail Papadopoulos")

    monkeypatch.setattr(views, "render_template", explode)
    page = client.get("/")
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert "Papadopoulos" not in text and "Traceback" not in text and "Κάτι πήγε στραβά" in text


def test_health_check_is_public(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_navigation_depends_on_role(client, login_as):
    login_as("caseworker")
    page = client.get("/").get_data(as_text=True)
    assert "/admin/users/" not in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login_as("admin")
    page = client.get("/").get_data(as_text=True)
    assert "/admin/users/" in page and "/admin/audit/" in page


def test_the_chosen_language_survives_logout(client, login_as):
    client.post("/language", data={"csrf_token": csrf_token(client), "locale": "en", "next": "/login"})
    login_as("caseworker")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)


def test_the_favicon_is_served_to_anyone_and_every_page_links_icons_that_exist(client, login_as):
    import re

    def check(paths):
        icon = client.get("/favicon.ico")
        assert icon.status_code == 200 and icon.mimetype == "image/x-icon"
        assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file, not a page
        for path in paths:
            page = client.get(path).get_data(as_text=True)
            links = re.findall(r'<link rel="icon" href="([^"]+)"', page)
            assert len(links) == 2, path
            for href in links:
                assert client.get(href).status_code == 200, href

    check(["/login"])
    login_as("caseworker")
    check(["/", "/beneficiaries/"])
    assert client.get("/static/img/favicon.svg").mimetype == "image/svg+xml"
