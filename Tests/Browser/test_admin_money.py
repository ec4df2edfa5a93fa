"""The admin money pages on a 360 px phone, signed in as the demo admin: a refused bulk reject shows its error, a batch
is built and its page (actions, exports, statements) has no serious axe-core violation and no sideways scrolling, and
so has a partner page with the adjustment form.\n"""
from selenium.webdriver.common.by import By

from conftest import NARROW_PHONE, assert_no_horizontal_scroll, axe_violations, screenshot, sign_in


def check(driver, name, ignore=()):
    assert driver.find_element(By.TAG_NAME, "h1").is_displayed(), name
    found = [v for v in axe_violations(driver) if not any(v.startswith(rule + " ") for rule in ignore)]
    assert not found, f"{name}: axe-core found\n  " + "\n  ".join(found)
    assert_no_horizontal_scroll(driver, NARROW_PHONE["width"])
    screenshot(driver, "admin-money-" + name)


def test_review_batch_and_adjustment_pages_on_a_narrow_phone(portal, narrow_phone):
    driver = narrow_phone
    sign_in(driver, portal, "admin")

    driver.get(portal["base"] + "/admin/commissions")
    check(driver, "commissions")
    boxes = driver.find_elements(By.CSS_SELECTOR, 'input[name="ids"]')
    if boxes:
        driver.execute_script("arguments[0].click()", boxes[0])
        driver.execute_script("arguments[0].click()", driver.find_element(By.CSS_SELECTOR, 'button[value="reject"]'))
        assert "Give a reason" in driver.find_element(By.CSS_SELECTOR, '.notice.bad').text
        check(driver, "commissions-refused")

    driver.get(portal["base"] + "/admin/payouts")
    check(driver, "payouts")
    build = driver.find_elements(By.XPATH, '//button[normalize-space()="Build batch"]')
    if build:
        driver.execute_script("arguments[0].click()", build[0])
        assert "/admin/payouts/" in driver.current_url
        assert "Batch created" in driver.page_source
    else:
        driver.get(driver.find_element(By.PARTIAL_LINK_TEXT, "Batch #").get_attribute("href"))
    check(driver, "batch")

    driver.get(portal["base"] + "/admin/partners")
    link = driver.find_element(By.CSS_SELECTOR, 'table a[href^="/admin/partners/"]')
    driver.get(link.get_attribute("href"))
    assert driver.find_element(By.ID, "adjustment-amount").is_displayed()
    check(driver, "partner")
