"""Signing in and out in a real browser, at phone and desktop sizes."""
from selenium.webdriver.common.by import By

from conftest import NARROW_PHONE, PHONE, assert_no_horizontal_scroll, screenshot, sign_in, submit


def test_admin_signs_in_and_out_on_desktop(portal, desktop):
    desktop.get(portal["base"] + "/login")
    assert desktop.find_element(By.CSS_SELECTOR, "label[for=email]").text == "E-mail"
    screenshot(desktop, "login-1280x800")
    sign_in(desktop, portal, "admin")
    assert desktop.current_url.endswith("/admin")
    assert "Acme Analytics" in desktop.find_element(By.TAG_NAME, "main").text
    screenshot(desktop, "admin-overview-1280x800")
    submit(desktop, desktop.find_element(By.XPATH, "//button[normalize-space()='Sign out']"))
    assert desktop.current_url.endswith("/login")
    desktop.get(portal["base"] + "/admin")
    assert "/login" in desktop.current_url, "after signing out, the console must ask to sign in again"


def test_partner_signs_in_on_a_phone(portal, phone):
    sign_in(phone, portal, "partner")
    assert phone.current_url.endswith("/portal")
    assert "Ada's Reviews" in phone.page_source
    assert_no_horizontal_scroll(phone, PHONE["width"])
    screenshot(phone, "partner-dashboard-390x844")
    # The navigation collapses behind a menu button on a phone and opens on tap.
    toggle = phone.find_element(By.CSS_SELECTOR, ".nav-toggle")
    assert toggle.is_displayed()
    assert not phone.find_element(By.ID, "sidenav").is_displayed()
    toggle.click()
    assert phone.find_element(By.ID, "sidenav").is_displayed()


def test_wrong_password_shows_a_clear_message(portal, phone):
    sign_in(phone, portal, "partner", password="certainly-not-it")
    error = phone.find_element(By.ID, "login-error")
    assert error.text == "Wrong e-mail or password."
    assert phone.find_element(By.ID, "password").get_attribute("aria-invalid") == "true"
    screenshot(phone, "login-wrong-password-390x844")


def test_a_form_with_a_forged_csrf_token_is_refused(portal, desktop):
    desktop.get(portal["base"] + "/login")
    desktop.execute_script("document.querySelector('input[name=csrf_token]').value = 'forged'")
    email, password = portal["logins"]["admin"]
    desktop.find_element(By.ID, "email").send_keys(email)
    desktop.find_element(By.ID, "password").send_keys(password)
    submit(desktop, desktop.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert "did not come from this site" in desktop.page_source
    desktop.get(portal["base"] + "/admin")
    assert "/login" in desktop.current_url


def test_no_page_scrolls_sideways_at_360(portal, narrow_phone):
    narrow_phone.get(portal["base"] + "/login")
    assert_no_horizontal_scroll(narrow_phone, NARROW_PHONE["width"])
    screenshot(narrow_phone, "login-360")
    sign_in(narrow_phone, portal, "admin")
    assert_no_horizontal_scroll(narrow_phone, NARROW_PHONE["width"])
    screenshot(narrow_phone, "admin-overview-360")


def test_desktop_has_a_side_navigation_beside_the_content(portal, desktop):
    sign_in(desktop, portal, "admin")
    nav = desktop.find_element(By.ID, "sidenav")
    main = desktop.find_element(By.ID, "main")
    assert not desktop.find_element(By.CSS_SELECTOR, ".nav-toggle").is_displayed()
    assert nav.is_displayed()
    assert nav.rect["x"] + nav.rect["width"] <= main.rect["x"] + 1, "navigation and content must sit side by side"
    card = desktop.find_element(By.CSS_SELECTOR, ".card")
    assert card.rect["width"] > 200, "cards must not collapse into a sliver"
