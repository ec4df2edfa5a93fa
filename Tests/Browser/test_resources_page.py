"""The partner's resource library in a real browser: no sideways scrolling at 360 px, 44 px touch targets, banner
previews that load, the embed code carrying the partner's link, the copy button, and a Markdown page."""
from selenium.webdriver.common.by import By

from conftest import NARROW_PHONE, assert_no_horizontal_scroll, screenshot, sign_in


def _touch_targets_are_44px(driver):
    for element in driver.find_elements(By.CSS_SELECTOR, "main button, main select, .resource-tabs a, .resource-actions a"):
        if not element.is_displayed():
            continue
        assert element.size["height"] >= 44, f"{element.tag_name} {element.text!r} is {element.size['height']}px high"


def test_resources_on_a_narrow_phone(portal, narrow_phone):
    sign_in(narrow_phone, portal, "partner")
    narrow_phone.get(portal["base"] + "/portal/resources")
    assert "/r/demo" in narrow_phone.find_element(By.CSS_SELECTOR, "textarea.resource-snippet").get_attribute("value")
    assert "Summer launch" not in narrow_phone.page_source, "an expired campaign is not shown"
    for image in narrow_phone.find_elements(By.CSS_SELECTOR, "img.resource-preview"):
        narrow_phone.execute_script("arguments[0].scrollIntoView()", image)
        narrow_phone.execute_script(
            "const img = arguments[0]; return img.complete || new Promise(r => img.addEventListener('load', r))", image)
        assert narrow_phone.execute_script("return arguments[0].naturalWidth", image) > 0, "banner previews must load"
    _touch_targets_are_44px(narrow_phone)
    assert_no_horizontal_scroll(narrow_phone, NARROW_PHONE["width"])
    screenshot(narrow_phone, "portal-resources-360")

    narrow_phone.find_element(By.LINK_TEXT, "Guidelines").click()
    narrow_phone.find_element(By.LINK_TEXT, "Brand guidelines").click()
    assert narrow_phone.find_element(By.CSS_SELECTOR, ".resource-body h2").text == "Do"
    assert_no_horizontal_scroll(narrow_phone, NARROW_PHONE["width"])
    screenshot(narrow_phone, "portal-resource-guidelines-360")


def test_resources_on_desktop_show_copy_buttons(portal, desktop):
    sign_in(desktop, portal, "partner")
    desktop.get(portal["base"] + "/portal/resources?kind=template")
    merged = desktop.find_element(By.CSS_SELECTOR, "textarea.resource-template").get_attribute("value")
    assert "/r/demo" in merged and "[link]" not in merged
    # Chromium on 127.0.0.1 is a secure context: the copy buttons are shown.
    assert desktop.find_element(By.CSS_SELECTOR, "[data-copy]").is_displayed()
    screenshot(desktop, "portal-resources-templates-1280x800")
