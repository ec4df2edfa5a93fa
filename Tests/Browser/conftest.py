"""Browser tests: a live `portal serve --demo` on a temporary data folder, driven by Debian's headless
Chromium through Selenium at phone (360 and 390 px wide, emulated) and desktop (1280 px) sizes.

Run from the package root: `python3 -m pytest Tests/Browser` (after `swift build`). Screenshots are written
to `.build/browser-artifacts/` (kept out of git)."""
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".build" / "browser-artifacts"
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
NARROW_PHONE = {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True}
DESKTOP = (1280, 800)


def _binary():
    for build in ("debug", "release"):
        candidate = ROOT / ".build" / build / "portal"
        if candidate.exists():
            return candidate
    pytest.fail("portal is not built: run `swift build` first")


def start_portal(prefix, env=None):
    """Starts `portal serve --demo` on a free port in a new data folder; returns (process, base URL, data, log path)."""
    data = tempfile.mkdtemp(prefix=prefix)
    log_path = pathlib.Path(data) / "portal.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [str(_binary()), "serve", "--port", "0", "--demo", "--data", data],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PORTAL_LOG_LEVEL": "info", **(env or {})},
    )
    base = None
    deadline = time.time() + 30
    while time.time() < deadline and base is None:
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", log_path.read_text())
        if match:
            base = match.group(1)
        elif process.poll() is not None:
            break
        else:
            time.sleep(0.1)
    if base is None:
        process.kill()
        pytest.fail("portal did not start:\n" + log_path.read_text())
    urllib.request.urlopen(base + "/healthz", timeout=5).read()
    return process, base, data, log_path


def stop_portal(process, data):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def portal():
    """Starts the portal on a free port with demo data; yields its base URL and its captured log."""
    process, base, data, log_path = start_portal("portal-browser-")
    logins = dict(re.findall(r"demo (\w+) login: (\S+ / \S+)", log_path.read_text()))
    yield {"base": base, "log": log_path, "data": data, "binary": str(_binary()),
           "logins": {role: tuple(value.split(" / ")) for role, value in logins.items()}}
    stop_portal(process, data)


def _driver():
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_argument("--window-size=%d,%d" % DESKTOP)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


@pytest.fixture
def desktop():
    driver = _driver()
    driver.set_window_size(*DESKTOP)
    yield driver
    driver.quit()


def _emulated(metrics):
    """A driver emulating a phone screen (headless Chromium will not open a window that narrow)."""
    driver = _driver()
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    return driver


@pytest.fixture
def phone():
    driver = _emulated(PHONE)
    yield driver
    driver.quit()


@pytest.fixture
def narrow_phone():
    driver = _emulated(NARROW_PHONE)
    yield driver
    driver.quit()


def screenshot(driver, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def assert_no_horizontal_scroll(driver, width):
    """The test of BROWSER-TESTING.md: the layout viewport is the device width and nothing is wider."""
    inner = driver.execute_script("return window.innerWidth")
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    assert inner == width, f"layout viewport is {inner}px, not {width}px (missing viewport meta or overflow)"
    assert scroll <= inner, f"page is {scroll}px wide in a {inner}px viewport: it scrolls sideways"


def sign_in(driver, portal, role, password=None):
    """Fills the sign-in form as a person would and submits it."""
    from selenium.webdriver.common.by import By
    email, real_password = portal["logins"][role]
    driver.get(portal["base"] + "/login")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password if password is not None else real_password)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def submit(driver, button):
    """Clicks a button that submits a form and waits until the next page has replaced this one.

    The old document is marked before the click and the wait ends when a complete document without the mark
    is in place; asking about the old button instead races with the navigation (Chromium may answer with an
    inspector error rather than a stale-element one)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
    driver.execute_script("window.__ppOldPage = true")
    button.click()

    def replaced(d):
        try:
            return d.execute_script("return window.__ppOldPage === undefined && document.readyState === 'complete'")
        except WebDriverException:
            return False

    WebDriverWait(driver, 10).until(replaced)


def axe_violations(driver, impacts=("serious", "critical")):
    """Runs axe-core (bundled with axe-selenium-python) on the current page; returns the violations of the given
    impacts as readable lines: rule, impact, and the first few offending elements."""
    from axe_selenium_python import Axe
    axe = Axe(driver)
    axe.inject()
    results = axe.run(options={"resultTypes": ["violations"]})
    lines = []
    for violation in results["violations"]:
        if violation.get("impact") not in impacts:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        lines.append(f'{violation["id"]} ({violation["impact"]}): {violation["help"]} — {targets}')
    return lines


def assert_accessible(driver, name):
    """No serious or critical axe-core violation on the current page."""
    found = axe_violations(driver)
    assert not found, f"{name}: axe-core found\n  " + "\n  ".join(found)
