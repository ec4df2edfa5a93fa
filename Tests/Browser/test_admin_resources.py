"""The admin resource library in a real browser: create a creative and upload a banner image through the real
multipart form (Selenium types the file's path into the file input) at a 390 px phone and at 1280×800, check the
stored file's size is read from its bytes, and that nothing scrolls sideways."""
import pathlib
import struct
import tempfile
import zlib

import pytest
from selenium.webdriver.common.by import By

from conftest import DESKTOP, PHONE, assert_no_horizontal_scroll, screenshot, sign_in, submit


def _banner_png(width=728, height=90):
    """A real PNG (RGB, 8 bits, non-interlaced): a blue-to-white gradient."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, 128, 255)) for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    path = pathlib.Path(tempfile.mkdtemp(prefix="portal-upload-")) / "winter-banner.png"
    path.write_bytes(png)
    return path


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_admin_uploads_a_banner(portal, size, request):
    driver = request.getfixturevalue(size)
    width = PHONE["width"] if size == "phone" else DESKTOP[0]
    sign_in(driver, portal, "admin")
    driver.get(portal["base"] + "/admin/resources/new?kind=creative")
    driver.find_element(By.ID, "title").send_keys(f"Browser banner {width}")
    driver.find_element(By.ID, "campaign").send_keys("Winter")
    assert_no_horizontal_scroll(driver, width)
    submit(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Create resource']"))
    assert "Resource created" in driver.page_source

    driver.find_element(By.ID, "file").send_keys(str(_banner_png()))
    submit(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Upload']"))
    assert "File uploaded." in driver.page_source, driver.page_source[:2000]
    files = driver.find_element(By.CSS_SELECTOR, "table.admin-resource-files").text
    assert "728×90" in files and "winter-banner.png" in files and "image/png" in files
    assert "320×40" in files and "640×79" in files, "the thumbnail and mobile variants are made from the PNG"
    preview = driver.find_element(By.CSS_SELECTOR, "table.admin-resource-files img")
    driver.execute_script("const img = arguments[0]; return img.complete || new Promise(r => img.addEventListener('load', r))", preview)
    assert driver.execute_script("return arguments[0].naturalWidth", preview) == 728
    assert_no_horizontal_scroll(driver, width)
    screenshot(driver, f"admin-resource-upload-{width}")

    driver.get(portal["base"] + "/admin/resources")
    assert f"Browser banner {width}" in driver.page_source
    assert_no_horizontal_scroll(driver, width)
    screenshot(driver, f"admin-resources-{width}")
