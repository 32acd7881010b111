"""A staff member's day in a real browser (Debian's Chromium driven by Playwright) against the
Procfile's web line: sign in, search, open a community, add an assessment, save."""

import os
import re
from datetime import date

import pytest

from tests.support.browser import FLAGS, chromium_or_skip
from tests.support.processes import manage, procfile

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium_path() -> str:
    return chromium_or_skip()


def test_sign_in_search_open_and_add_an_assessment(start, tmp_path, port, built, chromium_path):
    from playwright.sync_api import expect, sync_playwright

    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "true",
        "DATA_DIR": str(tmp_path),
        "PORT": str(port),
        "GUNICORN_WORKERS": "1",
    }
    env["PATH"] = f"{os.path.dirname(os.sys.executable)}:{env['PATH']}"
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
