"""The partner's money pages in a real browser: dashboard, commissions, payouts and payout settings at a
360 px phone and on a desktop, with no sideways scrolling."""
from selenium.webdriver.common.by import By

from conftest import NARROW_PHONE, assert_no_horizontal_scroll, screenshot, sign_in, submit


def test_money_pages_fit_a_narrow_phone(portal, narrow_phone):
    sign_in(narrow_phone, portal, "partner")
    for path, name in [("/portal", "dashboard"), ("/portal/commissions", "commissions"), ("/portal/payouts", "payouts"),
                       ("/portal/payouts/settings", "payout-settings")]:
        narrow_phone.get(portal["base"] + path)
        assert narrow_phone.find_element(By.TAG_NAME, "h1").is_displayed()
        assert_no_horizontal_scroll(narrow_phone, NARROW_PHONE["width"])
        screenshot(narrow_phone, f"partner-{name}-360")


def test_partner_sets_payout_details_on_desktop(portal, desktop):
    sign_in(desktop, portal, "partner")
    desktop.get(portal["base"] + "/portal/payouts/settings")
    desktop.find_element(By.CSS_SELECTOR, "select#method option[value=paypal]").click()
    desktop.find_element(By.ID, "paypal_email").send_keys("not-an-address")
    submit(desktop, desktop.find_element(By.XPATH, "//button[normalize-space()='Save payout details']"))
    assert "must be an e-mail address" in desktop.page_source
    assert desktop.find_element(By.ID, "paypal_email").get_attribute("aria-invalid") == "true"
    field = desktop.find_element(By.ID, "paypal_email")
    field.clear()
    field.send_keys("ada.payouts@example.com")
    submit(desktop, desktop.find_element(By.XPATH, "//button[normalize-space()='Save payout details']"))
    assert "Your payout details are saved" in desktop.page_source
    assert "a•••@example.com" in desktop.page_source
    screenshot(desktop, "partner-payout-settings-1280x800")
    desktop.get(portal["base"] + "/portal")
    # The payout step of the onboarding checklist is done (the list stays while other steps are open).
    assert '<a href="/portal/payouts/settings">Add your payout details</a>' not in desktop.page_source
    screenshot(desktop, "partner-dashboard-1280x800")
