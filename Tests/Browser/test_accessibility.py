"""axe-core over every partner page, signed in as the demo partner, on a phone and on a desktop: no serious
or critical violation (contrast, labels, names, landmarks, ARIA)."""
import pytest
from selenium.webdriver.common.by import By

from conftest import PHONE, assert_accessible, assert_no_horizontal_scroll, screenshot, sign_in

PAGES = ["/portal", "/portal/links", "/portal/analytics", "/portal/analytics?range=custom&from=2026-13-01&to=x",
         "/portal/commissions", "/portal/payouts", "/portal/payouts/settings", "/portal/tax", "/portal/resources",
         "/portal/messages", "/portal/team", "/portal/team/sso", "/portal/profile", "/portal/notifications", "/portal/api",
         "/portal/api/postbacks"]


def test_public_pages_have_no_serious_violations(portal, phone):
    for path in ["/login", "/password/forgot", "/apply/acme"]:
        phone.get(portal["base"] + path)
        assert_accessible(phone, path)


def check_pages(driver, portal, paths, size, shots=""):
    """Each page: a visible heading, no serious axe-core violation, and no sideways scrolling on the phone."""
    for path in paths:
        driver.get(portal["base"] + path)
        assert driver.find_element(By.TAG_NAME, "h1").is_displayed(), path
        assert_accessible(driver, f"{path} ({size})")
        if size == "phone":
            assert_no_horizontal_scroll(driver, PHONE["width"])
        if shots:
            screenshot(driver, f"{shots}{path.replace('/', '-')}-{size}")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_partner_pages_have_no_serious_violations(portal, size, request):
    driver = request.getfixturevalue(size)
    sign_in(driver, portal, "partner")
    check_pages(driver, portal, PAGES, size)


ADMIN_PAGES = ["/admin", "/admin/partners", "/admin/partners?status=pending", "/admin/messages", "/admin/announcements",
               "/admin/audit", "/admin/outbox", "/admin/domains", "/admin/commissions", "/admin/commissions?tab=flagged", "/admin/payouts",
               "/admin/payouts/tax-year/2025", "/admin/program", "/admin/program/form", "/admin/rules", "/admin/api-keys", "/admin/team",
               "/admin/branding", "/admin/programs", "/admin/partner-invitations", "/admin/resources", "/admin/resources/new",
               "/admin/resources/terms", "/admin/analytics", "/admin/webhooks", "/admin/sso"]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_admin_pages_have_no_serious_violations(portal, size, request):
    driver = request.getfixturevalue(size)
    sign_in(driver, portal, "admin")
    check_pages(driver, portal, ADMIN_PAGES, size, shots="admin")
