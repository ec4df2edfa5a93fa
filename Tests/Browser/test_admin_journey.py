"""An admin runs the program in a real browser, at a phone (390×844) and a desktop (1280×800) size: changes the
program's settings and application form, brands the portal (colour, font, logo upload), approves an applicant, gives
a partner a bonus, uploads a banner to the resource library, builds a payout batch, exports it (bank CSV and PayPal file, read back through the browser's own
session) and marks it paid. Every page is checked for sideways scrolling at the phone size and with axe-core at both;
screenshots are kept in `.build/browser-artifacts/admin-journey-*`."""
import os
import re
import sqlite3
import struct
import subprocess
import tempfile
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import PHONE, assert_accessible, assert_no_horizontal_scroll, screenshot, sign_in, submit
from test_admin_resources import _banner_png
from test_partner_journey import api


def query(portal, sql, *args):
    with sqlite3.connect(os.path.join(portal["data"], "portal.sqlite"), timeout=10) as db:
        return db.execute(sql, args).fetchall()


@pytest.fixture(scope="module")
def program_key(portal):
    out = subprocess.run([portal["binary"], "program", "keys", "--slug", "acme", "--create", "--data", portal["data"]],
                         capture_output=True, text=True, check=True).stdout
    return re.search(r"(sk_\S+)", out).group(1)


class AdminJourney:
    def __init__(self, driver, portal, size):
        self.driver, self.portal, self.size, self.step = driver, portal, size, 0

    def open(self, path):
        self.driver.get(self.portal["base"] + path)

    def check(self, name):
        self.step += 1
        assert self.driver.find_element(By.TAG_NAME, "h1").is_displayed(), name
        if self.size == "phone":
            assert_no_horizontal_scroll(self.driver, PHONE["width"])
        assert_accessible(self.driver, f"{name} ({self.size})")
        screenshot(self.driver, f"admin-journey-{self.size}-{self.step:02d}-{name}")

    def fill(self, element_id, text):
        field = self.driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text)

    def press(self, label):
        submit(self.driver, self.driver.find_element(By.XPATH, f"//button[normalize-space()='{label}' or @aria-label='{label}']"))

    def notice(self):
        return self.driver.find_element(By.CSS_SELECTOR, ".notice.ok").text

    def fetch(self, url):
        """GET through the browser's own session; returns (status, text)."""
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text().then(t => done([r.status, t])))"
            ".catch(e => done([0, String(e)]));", url)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_admin_configures_brands_approves_and_pays(portal, program_key, size, request):
    driver = request.getfixturevalue(size)
    journey = AdminJourney(driver, portal, size)
    sign_in(driver, portal, "admin")
    assert "/admin" in driver.current_url

    # Program settings: a 45-day cookie window.
    journey.open("/admin/program")
    journey.check("program")
    journey.fill("cookie_days", "45")
    journey.press("Save settings")
    assert "Settings saved." in journey.notice()
    assert query(portal, "SELECT cookie_days FROM programs WHERE slug = 'acme'") == [(45,)]

    # The application form: one more question, in the first empty row.
    journey.open("/admin/program/form")
    empty = driver.find_element(By.XPATH, "//input[starts-with(@id, 'field_label_') and @value='']")
    question = f"Where do you promote us? ({size})"
    empty.send_keys(question)
    journey.press("Save the form")
    assert "Application form saved." in journey.notice()
    journey.check("application-form")

    # Branding: colour (through the picker's value, as a person's pick would set it), font, then a logo upload.
    journey.open("/admin/branding")
    journey.check("branding")
    driver.execute_script("const c = document.getElementById('brand_color'); c.value = '#0f766e';"
                          "c.dispatchEvent(new Event('input', {bubbles: true}));")
    # The live preview follows the picker before anything is saved.
    assert "passes" in driver.find_element(By.CSS_SELECTOR, "[data-contrast='on-brand']").text
    assert driver.execute_script("return document.getElementById('branding-preview').style.getPropertyValue('--brand')") == "#0f766e"
    Select(driver.find_element(By.ID, "font")).select_by_value("serif")
    journey.press("Save")
    assert "Saved." in journey.notice()
    logo = os.path.join(tempfile.mkdtemp(prefix="logo-"), "logo.gif")
    with open(logo, "wb") as file:
        file.write(b"GIF89a" + struct.pack("<HH", 120, 40) + bytes(32))
    driver.find_element(By.ID, "logo").send_keys(logo)
    journey.press("Upload logo")
    assert "Logo uploaded." in journey.notice()
    assert driver.find_element(By.CSS_SELECTOR, "img.branding-logo").get_attribute("naturalWidth") == "120"
    journey.check("branding-saved")
    assert query(portal, "SELECT brand_color, font FROM portal_branding") == [("#0f766e", "serif")]

    # A banner for the resource library, through the real multipart form; its size is read from the bytes.
    journey.open("/admin/resources/new?kind=creative")
    journey.check("resource-new")
    journey.fill("title", f"Launch banner ({size})")
    journey.press("Create resource")
    driver.find_element(By.ID, "file").send_keys(str(_banner_png()))
    journey.press("Upload")
    assert "File uploaded." in driver.page_source
    assert "728×90" in driver.find_element(By.CSS_SELECTOR, "table.admin-resource-files").text
    journey.check("resource-uploaded")

    # An applicant (arriving through the API, as from a signup flow) is approved from the queue.
    name = f"Applicant {uuid.uuid4().hex[:6]}"
    status, created = api(portal, program_key, "POST", "/api/v1/partners",
                          {"email": f"{name.split()[1]}@apply.example", "name": name, "status": "pending"})
    assert status == 201, created
    journey.open("/admin/partners?status=pending")
    journey.check("applications")
    journey.press(f"Approve {name}")
    assert query(portal, "SELECT status FROM partners WHERE id = ?", created["id"]) == [("approved",)]

    # A bonus for a partner with payout details, so a payout is due; then a batch, its exports, and payment.
    partner_id = query(portal, "SELECT id FROM partners WHERE payout_method IS NOT NULL ORDER BY id LIMIT 1")[0][0]
    journey.open(f"/admin/partners/{partner_id}")
    journey.fill("adjustment-amount", "150.00")
    journey.fill("adjustment-reason", f"Launch bonus ({size})")
    journey.press("Record adjustment")
    journey.check("partner-bonus")
    journey.open("/admin/payouts")
    journey.check("payouts")
    journey.press("Build batch")
    assert re.search(r"/admin/payouts/\d+", driver.current_url)
    journey.check("batch")
    csv_status, csv_text = journey.fetch(driver.find_element(By.LINK_TEXT, "Download CSV").get_attribute("href"))
    assert csv_status == 200 and csv_text.count("\n") >= 2, csv_text
    paypal_status, paypal_text = journey.fetch(driver.find_element(By.LINK_TEXT, "Download PayPal Payouts file").get_attribute("href"))
    assert paypal_status == 200 and "@" in paypal_text, paypal_text
    journey.press("Mark all pending paid")
    journey.check("batch-paid")
    batch = int(re.search(r"/admin/payouts/(\d+)", driver.current_url).group(1))
    assert query(portal, "SELECT count(*) FROM payouts WHERE batch_id = ? AND status <> 'paid'", batch) == [(0,)]

    # Every step left its line in the audit log.
    journey.open("/admin/audit")
    journey.check("audit")
    log = driver.find_element(By.TAG_NAME, "main").text
    for action in ("program.settings", "program.application_form", "branding.update", "branding.logo", "resource.create",
                   "resource.upload", "partner.approve", "partner.bonus", "payout.batch_create"):
        assert action in log, action
