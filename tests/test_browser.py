"""A staff member's day in a real browser (Debian's Chromium driven by Playwright) against the
Procfile's web line: sign in, search, open a community, add an assessment, save."""

import os
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import FLAGS, chromium_or_skip
from tests.support.processes import manage, procfile

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium_path() -> str:
    return chromium_or_skip()


def test_sign_in_search_open_and_add_an_assessment(
    start, tmp_path, port, built, released_sqlite, chromium_path
):
    from playwright.sync_api import expect, sync_playwright

    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "true",
        "DATA_DIR": str(tmp_path),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    env["PATH"] = f"{os.path.dirname(os.sys.executable)}:{env['PATH']}"
    released_sqlite(tmp_path)
    assert manage("release", env=env).returncode == 0
    seeded = manage("seed_demo", "--communities", "30", env=env)
    assert seeded.returncode == 0, seeded.stderr
    password = re.search(r"user 'encoder' \(encoder\), password (\S+)", seeded.stdout).group(1)
    web = start(procfile()["web"], env, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/")
    base = f"http://localhost:{port}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=FLAGS)
        page = browser.new_page()
        page.goto(f"{base}/")
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
        page.get_by_label("Username").fill("encoder")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

        page.get_by_role("link", name="Communities").first.click()
        first_name = page.locator("table.data tbody tr td a").first.inner_text()
        page.get_by_label("Search").fill(first_name)
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name=first_name).first.click()
        expect(page.get_by_role("heading", name=first_name)).to_be_visible()

        page.get_by_role("link", name="Add an assessment").click()
        page.get_by_label("Date of assessment").fill(date.today().isoformat())
        page.get_by_label("Team").fill("A. Macapagal, S. Pangandaman")
        page.get_by_label("Method").select_option("focus_group")
        page.locator("#id_needs-0-sector").select_option("wash")
        page.locator("#id_needs-0-description").fill("A protected spring for 40 households")
        page.locator("#id_needs-0-beneficiaries").fill("200")
        page.get_by_role("button", name="Save draft").click()

        expect(page.get_by_text("Assessment saved as a draft.")).to_be_visible()
        # In the needs table (its history below names it too).
        expect(
            page.get_by_role("cell", name="A protected spring for 40 households")
        ).to_be_visible()
        page.get_by_role("button", name="Submit for validation").click()
        expect(page.get_by_text("Submitted for validation.")).to_be_visible()
        page.screenshot(path=str(tmp_path / "assessment.png"))
        browser.close()


def test_the_map_draws_every_community_of_the_filter_with_the_tiles_unreachable(
    start, tmp_path, port, built, released_sqlite, chromium_path
):
    """The tile server is a closed port: the markers still show, one per community of the
    filter, on the map's plain background, and nothing breaks the Content-Security-Policy."""
    import sqlite3

    from playwright.sync_api import expect, sync_playwright

    from tests.support.processes import free_port

    closed = free_port()  # nothing listens there
    env = {
        "PATH": f"{os.path.dirname(os.sys.executable)}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "true",
        "DATA_DIR": str(tmp_path),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "MAP_TILES_URL": f"https://127.0.0.1:{closed}/{{z}}/{{x}}/{{y}}.png",
    }
    released_sqlite(tmp_path)
    assert manage("release", env=env).returncode == 0
    seeded = manage("seed_demo", "--communities", "400", env=env)
    assert seeded.returncode == 0, seeded.stderr
    password = re.search(r"user 'viewer' \(viewer\), password (\S+)", seeded.stdout).group(1)
    with sqlite3.connect(tmp_path / "obcms.sqlite3") as db:
        (region,) = db.execute("SELECT id FROM geography_region WHERE short_name = 'X'").fetchone()
        (expected,) = db.execute(
            "SELECT COUNT(*) FROM communities_community c JOIN geography_municipality m "
            "ON m.id = c.municipality_id WHERE m.region_id = ? AND c.verification = 'verified'",
            (region,),
        ).fetchone()
    assert expected > 10
    web = start(procfile()["web"], env, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/")
    base = f"http://localhost:{port}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        console, failed_tiles = [], []
        page.on("console", lambda message: console.append(message.text))
        page.on(
            "requestfailed",
            lambda request: failed_tiles.append(request.url) if str(closed) in request.url else 0,
        )
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Username").fill("viewer")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{base}/map/?region={region}&verification=verified")
        expect(page.locator("#map[data-state=ready]")).to_have_count(1, timeout=20_000)
        drawn = """() => {
            let n = 0;
            document.querySelectorAll('#map .marker-cluster').forEach(
                (cluster) => { n += parseInt(cluster.textContent, 10); });
            return n + document.querySelectorAll('#map .leaflet-marker-icon.marker').length;
        }"""
        try:
            page.wait_for_function(f"({drawn})() === {expected}", timeout=15_000)
        finally:
            page.screenshot(path=str(tmp_path / "map.png"))
        assert page.evaluate(drawn) == expected
        expect(page.locator("#map-status")).to_contain_text(f"{expected} communities on the map")
        assert failed_tiles, "the map never asked the (unreachable) tile server"
        assert not [line for line in console if "Content Security Policy" in line], console

        page.get_by_label("Needs").check()
        expect(page.locator("#map-legend")).to_contain_text("Never assessed")
        page.locator("#map .leaflet-marker-icon.marker").first.click()  # a lone community
        community, town = page.locator(".leaflet-popup-content a").all()
        expect(community).to_have_attribute("href", re.compile(r"^/communities/\d+/$"))
        expect(town).to_have_attribute("href", re.compile(r"^/places/\d{10}/$"))
        browser.close()


def test_an_administrator_invites_a_colleague_who_signs_in_and_sees_a_meeting_on_the_calendar(
    start, tmp_path, port, built, released_sqlite, chromium_path, mailbox
):
    """The web and worker lines of the Procfile on a laptop's defaults (SQLite, the folder
    broker); the invitation reaches the colleague over SMTP (tests/support/mailbox.py)."""
    from playwright.sync_api import expect, sync_playwright

    env = {
        "PATH": f"{os.path.dirname(os.sys.executable)}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "true",
        "DATA_DIR": str(tmp_path),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "EMAIL_URL": mailbox.url,
        "SITE_URL": f"http://localhost:{port}",
    }
    released_sqlite(tmp_path)
    assert manage("release", env=env).returncode == 0
    admin = manage(
        "createsuperuser",
        "--noinput",
        "--username",
        "amina",
        "--email",
        "amina@example.org",
        env={**env, "DJANGO_SUPERUSER_PASSWORD": "amina-admin-password-31"},
    )
    assert admin.returncode == 0, admin.stderr
    web = start(procfile()["web"], env, name="web")
    start(procfile()["worker"], env, name="worker")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/")
    base = f"http://localhost:{port}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=FLAGS)
        page = browser.new_page()
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Username").fill("amina")
        page.get_by_label("Password").fill("amina-admin-password-31")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Staff").click()
        page.get_by_role("link", name="Invite a colleague").click()
        page.get_by_label("Given name").fill("Norhana")
        page.get_by_label("Surname").fill("Ali")
        page.get_by_label("Email").fill("norhana@example.org")
        page.get_by_label("Role").select_option("encoder")
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.get_by_text("Invitation queued for norhana@example.org")).to_be_visible()
        expect(page.get_by_role("row", name="Norhana Ali")).to_contain_text("Invited")

        # A meeting today in Manila, entered in Philippine time through the browser's own
        # date-time input, for the colleague to find on the calendar.
        today = datetime.now(ZoneInfo("Asia/Manila")).date().isoformat()
        page.get_by_role("link", name="Meetings").click()
        page.get_by_role("link", name="Record a meeting").click()
        page.get_by_label("Title").fill("Consultation with the Maranao council")
        page.get_by_label("Kind").select_option("consultation")
        page.get_by_label("Starts").fill(f"{today}T10:00")
        page.get_by_label("Ends").fill(f"{today}T12:00")
        page.get_by_label("Venue").fill("Barangay hall")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Saved Consultation with the Maranao council")).to_be_visible()

        (message,) = mailbox.wait_for(1)
        link = re.search(r"http://\S+/accounts/welcome/\S+", message.get_content()).group(0)
        colleague = browser.new_context().new_page()
        colleague.goto(link)
        expect(colleague.get_by_role("heading", name="Welcome, Norhana Ali")).to_be_visible()
        colleague.locator("#id_new_password1").fill("norhana-chose-this-one-4")
        colleague.get_by_label("New password confirmation").fill("norhana-chose-this-one-4")
        colleague.get_by_role("button", name="Set password").click()
        expect(colleague.get_by_text("Your password is set")).to_be_visible()
        colleague.get_by_label("Username").fill("norhana@example.org")
        colleague.get_by_label("Password").fill("norhana-chose-this-one-4")
        colleague.get_by_role("button", name="Sign in").click()
        expect(colleague.get_by_role("heading", name="Dashboard")).to_be_visible()
        colleague.screenshot(path=str(tmp_path / "invited.png"))
        colleague.get_by_role("link", name="Calendar").click()
        expect(colleague.locator(f'td[data-date="{today}"]')).to_contain_text(
            "10:00 Consultation with the Maranao council"
        )

        page.get_by_role("link", name="Staff").click()
        expect(page.get_by_role("row", name="Norhana Ali")).to_contain_text("Active")
        browser.close()


def test_from_a_validated_need_to_a_completed_ppa(
    start, tmp_path, port, built, released_sqlite, chromium_path
):
    """An administrator validates a need, creates a PPA for it, adds an update at 100 %, and
    finds the need completed on its community's page and on the dashboard."""
    from playwright.sync_api import expect, sync_playwright

    env = {
        "PATH": f"{os.path.dirname(os.sys.executable)}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "true",
        "DATA_DIR": str(tmp_path),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    released_sqlite(tmp_path)
    assert manage("release", env=env).returncode == 0
    seeded = manage("seed_demo", "--communities", "30", env=env)
    assert seeded.returncode == 0, seeded.stderr
    password = re.search(r"user 'admin' \(administrator\), password (\S+)", seeded.stdout).group(1)
    web = start(procfile()["web"], env, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/")
    base = f"http://localhost:{port}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=FLAGS)
        page = browser.new_page()
        page.goto(f"{base}/")
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        completed = page.locator('[data-needs="completed"]')
        before = int(completed.inner_text().replace(",", ""))

        page.goto(f"{base}/needs/?status=identified")
        page.locator("table.data tbody tr td a").first.click()
        need_id = re.search(r"/needs/(\d+)/", page.url).group(1)
        community = page.locator("h1 a").inner_text()
        page.get_by_role("button", name="Validate").click()
        expect(page.get_by_text("Need validated.")).to_be_visible()

        page.get_by_role("link", name="Create a PPA for it").click()
        page.get_by_label("Fiscal year").fill("2026")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("OOBC PPA saved.")).to_be_visible()
        expect(page.locator("[data-status]")).to_have_text("Planned")

        page.get_by_text("Add an update").click()
        page.get_by_role("textbox", name="Date", exact=True).fill(date.today().isoformat())
        page.get_by_label("Percent done").fill("100")
        page.get_by_label("What happened").fill("Water system turned over to the barangay")
        page.get_by_role("button", name="Save the update").click()
        expect(page.get_by_text("Update saved (100 %).")).to_be_visible()
        expect(page.locator("[data-status]")).to_have_text("Completed")

        page.get_by_role("link", name=community, exact=True).first.click()
        expect(page.locator(f'[data-need="{need_id}"]')).to_have_text("Completed")
        page.get_by_role("link", name="Dashboard").click()
        expect(page.locator('[data-needs="completed"]')).to_have_text(str(before + 1))
        page.screenshot(path=str(tmp_path / "chain.png"))
        browser.close()
