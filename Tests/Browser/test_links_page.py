"""The partner's links page in a real browser: no sideways scrolling at 360 px, 44 px touch targets, a table on
desktop, creating a link through the form, and the QR code image."""
from selenium.webdriver.common.by import By

from conftest import NARROW_PHONE, assert_no_horizontal_scroll, screenshot, sign_in, submit


def _touch_targets_are_44px(driver):
    for element in driver.find_elements(By.CSS_SELECTOR, "main button, main input:not([type=hidden]), main summary, .link-qr a"):
        if not element.is_displayed():
            continue
        size = element.size
        assert size["height"] >= 44, f"{element.tag_name} {element.text!r} is {size['height']}px high"


def test_links_page_on_a_narrow_phone(portal, narrow_phone):
    sign_in(narrow_phone, portal, "partner")
    narrow_phone.get(portal["base"] + "/portal/links")
    assert "/r/demo" in narrow_phone.find_element(By.CSS_SELECTOR, ".link-url").text
    assert_no_horizontal_scroll(narrow_phone, NARROW_PHONE["width"])
    # A card per link: the table header is hidden and cells stack.
    assert narrow_phone.execute_script("return getComputedStyle(document.querySelector('.links-table tr.link-row')).display") == "block"
    assert narrow_phone.find_element(By.CSS_SELECTOR, ".links-table thead").size["height"] <= 1
    narrow_phone.find_element(By.CSS_SELECTOR, ".link-qr summary").click()
    image = narrow_phone.find_element(By.CSS_SELECTOR, ".link-qr img")
    narrow_phone.execute_script("arguments[0].scrollIntoView()", image)
    narrow_phone.execute_script(
        "const img = arguments[0]; return img.complete || new Promise(r => img.addEventListener('load', r))", image)
    assert narrow_phone.execute_script("return arguments[0].naturalWidth", image) > 0, "the QR code SVG must load"
    _touch_targets_are_44px(narrow_phone)
    assert_no_horizontal_scroll(narrow_phone, NARROW_PHONE["width"])
    screenshot(narrow_phone, "portal-links-360")

    # A destination outside the program's domains is refused beside its field (the demo program allows any).
    narrow_phone.find_element(By.ID, "destination_url").send_keys("not a url")
    submit(narrow_phone, narrow_phone.find_element(By.XPATH, "//button[normalize-space()='Create link']"))
    assert narrow_phone.find_element(By.ID, "destination_url-error").is_displayed()
    assert "destination_url-error" in narrow_phone.find_element(By.ID, "destination_url").get_attribute("aria-describedby")
    assert_no_horizontal_scroll(narrow_phone, NARROW_PHONE["width"])
    screenshot(narrow_phone, "portal-links-error-360")


def test_links_page_on_desktop_creates_a_link(portal, desktop):
    sign_in(desktop, portal, "partner")
    desktop.get(portal["base"] + "/portal/links")
    assert desktop.find_element(By.CSS_SELECTOR, ".links-table thead").is_displayed()
    # Chromium on 127.0.0.1 is a secure context: the Copy button is shown.
    assert desktop.find_element(By.CSS_SELECTOR, "[data-copy]").is_displayed()
    desktop.find_element(By.ID, "destination_url").send_keys("https://example.com/pricing")
    desktop.find_element(By.ID, "campaign").send_keys("browser")
    desktop.find_element(By.ID, "code").send_keys("browser-made")
    submit(desktop, desktop.find_element(By.XPATH, "//button[normalize-space()='Create link']"))
    assert "created=browser-made" in desktop.current_url
    assert "Link created" in desktop.find_element(By.CSS_SELECTOR, ".notice.ok").text
    assert "/r/browser-made" in desktop.page_source
    screenshot(desktop, "portal-links-1280x800")
