"""A partner's whole journey in a real browser, at a phone (390×844) and a desktop (1280×800) size: apply, get
approved (through the API, as the company's systems would), choose a password from the e-mailed link, make a
link, follow it, see the click in analytics, see the commission of a conversion, set payout details, submit a tax
form, download a creative and write to the program. Every page is checked for sideways scrolling at the phone
size and with axe-core at both; screenshots are kept in `.build/browser-artifacts/`."""
import http.client
import json
import os
import re
import sqlite3
import subprocess
import tempfile
import time
import urllib.parse
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import PHONE, assert_accessible, assert_no_horizontal_scroll, screenshot, submit

BROWSER_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0 Safari/537.36")


@pytest.fixture(scope="module")
def secret_key(portal):
    """A secret API key of the demo program, made with the command line as an operator would."""
    out = subprocess.run([portal["binary"], "program", "keys", "--slug", "acme", "--create", "--data", portal["data"]],
                         capture_output=True, text=True, check=True).stdout
    return re.search(r"(sk_\S+)", out).group(1)


def api(portal, key, method, path, body=None):
    parts = urllib.parse.urlsplit(portal["base"])
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Authorization": "Bearer " + key}
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    data = response.read().decode()
    connection.close()
    return response.status, (json.loads(data) if data else None)


def query(portal, sql, *args):
    with sqlite3.connect(os.path.join(portal["data"], "portal.sqlite"), timeout=10) as db:
        return db.execute(sql, args).fetchall()


class Journey:
    def __init__(self, driver, portal, size):
        self.driver, self.portal, self.size = driver, portal, size
        self.step = 0

    def open(self, path):
        self.driver.get(self.portal["base"] + path)

    def check(self, name):
        """The page in front of us: fits the phone, passes axe-core, and is photographed."""
        self.step += 1
        if self.size == "phone":
            assert_no_horizontal_scroll(self.driver, PHONE["width"])
        assert_accessible(self.driver, f"{name} ({self.size})")
        screenshot(self.driver, f"journey-{self.size}-{self.step:02d}-{name}")

    def fill(self, element_id, text):
        field = self.driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text)

    def press(self, label):
        submit(self.driver, self.driver.find_element(By.XPATH, f"//button[normalize-space()='{label}']"))


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_partner_from_application_to_first_payout_details(portal, secret_key, size, request):
    driver = request.getfixturevalue(size)
    journey = Journey(driver, portal, size)
    email = f"journey-{size}-{uuid.uuid4().hex[:8]}@example.com"

    # 1. Apply on the program's public page.
    journey.open("/apply/acme")
    journey.check("apply")
    journey.fill("name", "Jo Journey")
    journey.fill("email", email)
    journey.fill("website", "https://jo.example")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert "/apply/acme/submitted" in driver.current_url
    journey.check("applied")

    # 2. The program approves the application through its API.
    partner_id = query(portal, "SELECT id FROM partners WHERE email = ?", email)[0][0]
    status, body = api(portal, secret_key, "POST", f"/api/v1/partners/{partner_id}/approve", {})
    assert status == 200, body
    assert body["status"] == "approved"

    # 3. The e-mailed link sets the password and signs in.
    mail = query(portal, "SELECT body_text FROM outbox WHERE recipient = ? ORDER BY id", email)[0][0]
    token_path = re.search(r"(/password/[A-Za-z0-9_-]+)", mail).group(1)
    journey.open(token_path)
    journey.check("choose-password")
    journey.fill("password", "journey password 2026")
    journey.fill("confirm", "journey password 2026")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    journey.open("/portal")
    assert "Create your first tracking link" in driver.page_source
    journey.check("dashboard-new")

    # 4. Make a link.
    journey.open("/portal/links")
    journey.fill("destination_url", "https://example.com/pricing")
    journey.fill("campaign", "journey")
    code = f"jo{size}{uuid.uuid4().hex[:6]}"
    journey.fill("code", code)
    journey.press("Create link")
    assert f"created={code}" in driver.current_url, driver.current_url
    journey.check("links")

    # 5. Someone follows it (a browser, not a bot), and the click shows in analytics.
    parts = urllib.parse.urlsplit(portal["base"])
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", f"/r/{code}?sub1=newsletter", headers={"User-Agent": BROWSER_UA})
    redirect = connection.getresponse()
    redirect.read()
    connection.close()
    assert redirect.status == 302
    journey.open("/portal/analytics?range=7d")
    clicks = driver.find_element(By.XPATH, "//div[contains(@class, 'stat')]/div[@class='label' and normalize-space()='Clicks']/following-sibling::div[1]").text
    assert clicks == "1", f"analytics shows {clicks!r} clicks"
    assert "newsletter" in driver.page_source
    journey.check("analytics")

    # 6. A sale through the link earns a commission the partner sees.
    status, conversion = api(portal, secret_key, "POST", "/api/v1/conversions",
                             {"external_id": f"order-{uuid.uuid4().hex[:10]}", "type": "sale", "amount": 12000, "link_code": code})
    assert status == 201, conversion
    assert conversion["partner_id"] == partner_id
    earned = conversion["commissions"][0]["amount"]
    journey.open("/portal/commissions")
    assert f"${earned // 100}.{earned % 100:02d}" in driver.page_source
    journey.check("commissions")

    # 7. Payout details.
    journey.open("/portal/payouts/settings")
    Select(driver.find_element(By.ID, "method")).select_by_value("paypal")
    journey.fill("paypal_email", "jo.payouts@example.com")
    journey.press("Save payout details")
    assert "Your payout details are saved" in driver.page_source
    journey.check("payout-settings")

    # 8. A tax form, signed by typing the legal name.
    journey.open("/portal/tax")
    driver.find_element(By.CSS_SELECTOR, "input[name=kind][value=w9]").click()
    Select(driver.find_element(By.ID, "classification")).select_by_index(1)
    journey.fill("legal_name", "Jo Journey")
    journey.fill("country", "US")
    journey.fill("address_line1", "1 Main Street")
    journey.fill("city", "Springfield")
    journey.fill("tax_id", "123-45-6789")
    journey.fill("signature_name", "Jo Journey")
    driver.find_element(By.ID, "certified").click()
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/portal/tax'] button[type=submit]"))
    assert "6789" in driver.page_source and "123-45-6789" not in driver.page_source
    journey.check("tax")

    # 9. Download a creative from the library: the browser saves the file and the download is counted.
    downloads = tempfile.mkdtemp(prefix="journey-downloads-")
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    counted = query(portal, "SELECT count(*) FROM resource_downloads WHERE partner_id = ?", partner_id)[0][0]
    journey.open("/portal/resources")
    # The snippets and templates carry the partner's own link, at the address the portal really listens on.
    assert f"{portal['base']}/r/{code}" in driver.page_source
    journey.check("resources")
    link = driver.find_element(By.CSS_SELECTOR, "a[href*='/download']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    WebDriverWait(driver, 10).until(lambda d: any(not name.endswith(".crdownload") for name in os.listdir(downloads)))
    assert query(portal, "SELECT count(*) FROM resource_downloads WHERE partner_id = ?", partner_id)[0][0] == counted + 1

    # The brand guidelines, an onboarding step.
    journey.open("/portal")
    driver.find_element(By.PARTIAL_LINK_TEXT, "Read the guidelines").click()
    assert driver.find_element(By.TAG_NAME, "h1").text.strip()
    journey.check("guidelines")

    # 10. A message to the program's managers.
    journey.open("/portal/messages")
    journey.fill("subject", "Hello from the journey")
    journey.fill("body", "Where can I find the summer banners?")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/portal/messages'] button[type=submit]"))
    assert "Where can I find the summer banners?" in driver.page_source
    journey.check("message-thread")

    # The dashboard's checklist has moved on.
    journey.open("/portal")
    assert "Create your first tracking link" not in driver.page_source
    assert "Add your payout details" not in driver.page_source
    assert "Read the guidelines" not in driver.page_source, "the checklist is done and hidden"
    journey.check("dashboard-after")
