"""Webhooks in the browser, at phone and desktop sizes: an admin adds an endpoint with two events, copies the
secret shown once, sees a delivery appear in the log when a partner applies, opens it and sends it again; a
partner opens their postbacks page. Every page passes axe-core and fits the phone."""
import uuid

import pytest
from selenium.webdriver.common.by import By

from conftest import PHONE, assert_accessible, assert_no_horizontal_scroll, screenshot, sign_in, submit
from test_partner_journey import api, query, secret_key  # noqa: F401  (secret_key is a fixture)


def check(driver, size, name):
    if size == "phone":
        assert_no_horizontal_scroll(driver, PHONE["width"])
    assert_accessible(driver, f"{name} ({size})")
    screenshot(driver, f"webhooks-{size}-{name}")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_admin_adds_an_endpoint_and_replays_a_delivery(portal, secret_key, size, request):  # noqa: F811
    driver = request.getfixturevalue(size)
    sign_in(driver, portal, "admin")
    driver.get(portal["base"] + "/admin/webhooks")
    check(driver, size, "list")
    url = f"https://hooks.example.com/{size}-{uuid.uuid4().hex[:6]}"
    driver.find_element(By.ID, "webhook-url").send_keys(url)
    for event in ("partner.applied", "payout.paid"):
        driver.find_element(By.CSS_SELECTOR, f"input[name=event][value='{event}']").click()
    submit(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Add endpoint']"))
    secret = driver.find_element(By.CSS_SELECTOR, "[data-copy^='whsec_']").get_attribute("data-copy")
    assert secret.startswith("whsec_") and len(secret) > 40
    assert "partner.applied, payout.paid" in driver.page_source
    check(driver, size, "endpoint-new")
    (endpoint_id,) = query(portal, "SELECT id FROM webhook_endpoints WHERE url = ?", url)[0]

    # A partner applies through the API: the endpoint's log shows the delivery.
    status, _ = api(portal, secret_key, "POST", "/api/v1/partners",
                    {"email": f"hook-{uuid.uuid4().hex[:8]}@example.com", "name": "Hook Test", "status": "pending"})
    assert status == 201
    driver.get(portal["base"] + f"/admin/webhooks/{endpoint_id}")
    check(driver, size, "endpoint-log")
    link = driver.find_element(By.XPATH, "//table//a[normalize-space()='partner.applied']")
    driver.get(link.get_attribute("href"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "partner.applied"
    assert "Hook Test" in driver.find_element(By.CLASS_NAME, "webhook-payload").text
    check(driver, size, "delivery")
    submit(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Send again']"))
    assert "sent again" in driver.find_element(By.CSS_SELECTOR, ".notice.ok").text
    assert query(portal, "SELECT count(*) FROM audit_log WHERE action = 'webhook.replay'")[0][0] >= 1


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_partner_opens_postbacks(portal, size, request):
    driver = request.getfixturevalue(size)
    sign_in(driver, portal, "partner")
    driver.get(portal["base"] + "/portal/api/postbacks")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Postbacks"
    check(driver, size, "postbacks")
