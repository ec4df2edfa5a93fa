"""Pages anyone can reach without signing in."""
from conftest import NARROW_PHONE, assert_no_horizontal_scroll, screenshot


def test_unknown_tracking_link_page_fits_a_phone(portal, narrow_phone):
    narrow_phone.get(portal["base"] + "/r/no-such-link")
    assert "Link not found" in narrow_phone.page_source
    assert_no_horizontal_scroll(narrow_phone, NARROW_PHONE["width"])
    screenshot(narrow_phone, "link-not-found-360")


def test_stylesheet_is_served(portal, desktop):
    desktop.get(portal["base"] + "/css/portal.css")
    assert "--brand" in desktop.page_source
