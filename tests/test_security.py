"""Locked down by default, proved over real HTTP against the Procfile's web line in production
posture; and bad input of every kind gets a clear answer, never a 500."""

import re
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import factories
from tests.support.processes import (
    Browserless,
    Process,
    base_env,
    free_port,
    http_get,
    manage,
    procfile,
)
from tests.support.services import TEST_SECRET_KEY
from tests.support.urls import PUBLIC, WRITE_URLS, all_url_names, url_for

HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def site(tmp_path_factory, built, released_sqlite):
    """A released, seeded site in production posture (SQLite, no services needed), started
    once for the module: the tests using it only read and sign in, and release, seed and
    start took a loaded machine a minute or two per test."""
    port = free_port()
    env = base_env(
        SECRET_KEY=TEST_SECRET_KEY,
        ALLOWED_HOSTS="localhost",
        DATA_DIR=str(tmp_path_factory.mktemp("site") / "data"),
        LOG_FORMAT="json",
        PORT=str(port),
    )
    released_sqlite(env["DATA_DIR"])
    assert manage("release", env=env).returncode == 0
    seeded = manage("seed_demo", "--force", "--communities", "5", env=env)
    assert seeded.returncode == 0, seeded.stderr
    passwords = dict(re.findall(r"user '(\w+)' \(\w+\), password (\S+)", seeded.stdout))
    web = Process(procfile()["web"], env, name="web")
    try:
        web.wait_for_http(f"http://127.0.0.1:{port}/health/")
        yield {"base": f"http://127.0.0.1:{port}", "passwords": passwords, "env": env}
    finally:
        web.stop()


def test_every_security_header_and_cookie_attribute(site):
    status, headers, _ = http_get(
        f"{site['base']}/accounts/login/", host="localhost", headers=HTTPS
    )
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=3600"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    policy = dict(
        part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'" and "unsafe" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    csrf = headers["Set-Cookie"]
    assert csrf.startswith("__Host-csrftoken=")
    for attribute in ("Secure", "Path=/", "SameSite=Lax"):
        assert attribute in csrf
    assert "Domain=" not in csrf

    client = Browserless(site["base"])
    client.sign_in("viewer", site["passwords"]["viewer"])
    assert client.session_cookie.startswith("__Host-sessionid=")
    status, _, _ = Browserless(site["base"]).request("POST", "/accounts/login/", {})
    assert status == 403  # no CSRF token


def test_the_session_cookie_is_secure_http_only_and_host_bound(site):
    client = Browserless(site["base"])
    token = client.csrf_form("/accounts/login/")
    status, headers, _ = client.request(
        "POST",
        "/accounts/login/",
        {
            "username": "viewer",
            "password": site["passwords"]["viewer"],
            "csrfmiddlewaretoken": token,
        },
    )
    assert status == 302
    cookies = headers.get_all("Set-Cookie")
    session = next(c for c in cookies if c.startswith("__Host-sessionid="))
    for attribute in ("Secure", "HttpOnly", "Path=/", "SameSite=Lax"):
        assert attribute in session
    assert "Domain=" not in session


def test_an_anonymous_crawl_of_every_url_gets_sign_in_or_404_never_data(site):
    names = [(n, p) for n, p in all_url_names() if n not in PUBLIC]
    for name, pattern in names:
        for method in ("GET", "POST"):
            status, headers, _ = http_get(
                f"{site['base']}{url_for(name, pattern)}",
                host="localhost",
                method=method,
                headers=HTTPS,
            )
            assert status in (302, 403, 404, 405), (name, method, status)
            if status == 302:
                assert headers["Location"].startswith("/accounts/login/"), name


def test_a_viewer_gets_403_on_every_write(site):
    client = Browserless(site["base"])
    client.sign_in("viewer", site["passwords"]["viewer"])
    token = client.csrf_form("/communities/")
    patterns = dict(all_url_names())
    for name in WRITE_URLS:
        url = url_for(name, patterns[name])
        status, _, _ = client.request("POST", url, {"csrfmiddlewaretoken": token, "name": "x"})
        assert status == 403, (name, status)


def test_an_oversized_request_is_refused_with_413_before_it_is_read(site):
    port = int(site["base"].rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: localhost\r\n"
            b"X-Forwarded-Proto: https\r\nContent-Type: text/csv\r\n"
            b"Content-Length: 50000000\r\n\r\nname,barangay\r\n"
        )
        answer = ""
        while "MB." not in answer:  # headers and the chunked body may come in two reads
            data = sock.recv(4096)
            if not data:
                break
            answer += data.decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413")
    assert "the limit is 10 MB" in answer


@pytest.mark.integration
def test_the_eleventh_failed_sign_in_is_locked_out_across_two_worker_processes(
    start, production_env, released_database, own_redis, port
):
    env = {
        **production_env,
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": released_database,
        "REDIS_URL": own_redis(4),  # this test's failure counts only
        "WEB_CONCURRENCY": "2",
        "PORT": str(port),
    }
    assert manage("release", env=env).returncode == 0
    seeded = manage("seed_demo", "--force", "--communities", "1", env=env)
    password = re.search(r"user 'encoder' \(encoder\), password (\S+)", seeded.stdout).group(1)
    web = start(procfile()["web"], env, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/")
    base = f"http://127.0.0.1:{port}"

    for attempt in range(10):
        client = Browserless(base)  # a new connection each time: both workers take turns
        token = client.csrf_form("/accounts/login/")
        status, _, body = client.request(
            "POST",
            "/accounts/login/",
            {"username": "encoder", "password": f"wrong-{attempt}", "csrfmiddlewaretoken": token},
        )
        assert status == 200 and b"Please enter a correct username" in body

    client = Browserless(base)
    token = client.csrf_form("/accounts/login/")
    status, _, body = client.request(
        "POST",
        "/accounts/login/",
        {"username": "encoder", "password": password, "csrfmiddlewaretoken": token},
    )
    assert status == 200, "the right password must not get through a locked account"
    assert b"Too many failed sign-ins" in body
    assert web.output.count("Booting worker") == 2


@pytest.mark.django_db
def test_changing_the_password_signs_out_other_sessions(client):
    user = factories.user("viewer")
    client.force_login(user)
    assert client.get("/communities/").status_code == 200
    user.set_password("another-long-password-42")
    user.save()
    response = client.get("/communities/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# Fuzzing: arbitrary input reaches forms, filters and the import; none of it is a 500. ------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def encoder_client(client, db):
    client.force_login(factories.user("encoder"))
    return client


@pytest.mark.django_db
@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                *("q", "region", "province", "group", "verification", "incomplete"),
                *("page", "sort", "archived"),
            ]
        ),
        TEXT,
    )
)
def test_list_filters_survive_anything(encoder_client, params):
    assert encoder_client.get("/communities/", params).status_code == 200


@pytest.mark.django_db
@FUZZ
@given(
    form=st.fixed_dictionaries(
        {
            "name": TEXT,
            "municipality": TEXT,
            "barangay": TEXT,
            "population": TEXT,
            "households": TEXT,
            "verification": TEXT,
            "notes": TEXT,
            "women": TEXT,
            "latitude": TEXT,
            "access_health_care": st.sampled_from(["", "good", "none", "available", "yes", "x"]),
            "settlement_type": TEXT,
        }
    )
)
def test_the_community_form_survives_anything(encoder_client, form):
    response = encoder_client.post("/communities/new/", form)
    assert response.status_code in (200, 302)


@pytest.mark.django_db
@FUZZ
@given(
    raw=st.one_of(
        st.binary(max_size=400),
        TEXT.map(str.encode),
        st.lists(st.lists(TEXT, max_size=6), max_size=8).map(
            lambda rows: "\n".join(
                ",".join(r) for r in [["name", "barangay_psgc", "population"], *rows]
            ).encode()
        ),
    )
)
def test_the_csv_import_survives_anything(raw):
    from obcms.reports import imports

    try:
        outcome = imports.import_communities(raw, None, lambda done, total: None)
    except imports.ImportRefused as refused:
        assert str(refused)
    else:
        assert outcome.created + len(outcome.errors) == outcome.total
