"""The web demo (``python -m zoo serve``), driven end to end in a real headless
Chromium (Debian's ``chromium`` and ``chromium-driver``), plus a bounded load
test through Gradio's own client, all against 127.0.0.1.

The page's images are fetched from the URLs the page shows and compared pixel
for pixel with what the Python API gives for the same preset and seed.
"""

import concurrent.futures
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("gradio")
webdriver = pytest.importorskip("selenium.webdriver")

import zoo  # noqa: E402
from zoo import demo, images  # noqa: E402

pytestmark = pytest.mark.slow  # pytest -m 'not slow' skips this module

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
needs_browser = pytest.mark.skipif(
    not (CHROMIUM and DRIVER) and not os.environ.get("CI"),
    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
SCREENSHOTS = Path(os.environ.get("ZOO_SCREENSHOTS", Path(__file__).parent / ".screenshots"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    home = tmp_path_factory.mktemp("demo_home")
    env = {**os.environ, "HOME": str(home), "GRADIO_ANALYTICS_ENABLED": "False",
           "GRADIO_TEMP_DIR": str(home / "gradio"), "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "zoo", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            cwd=home)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(proc.stdout.read().decode()[-3000:])
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the demo did not start within 180 s")
    yield url, proc
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1200,1600",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER or "/usr/bin/chromedriver"),
                              options=options)
    driver.set_page_load_timeout(60)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def wait_for(predicate, timeout=60, what="the page"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def shown_pixels(driver, base, elem_id, previous=None, mode="L"):
    """The pixels of the image the page shows in ``#elem_id`` (once its source changes)."""
    from PIL import Image
    from selenium.webdriver.common.by import By

    def source():
        found = driver.find_elements(By.CSS_SELECTOR, f"#{elem_id} img")
        src = found[0].get_attribute("src") if found else None
        return src if src and src != previous else None

    src = wait_for(source, what=f"an image in #{elem_id}")
    data = urllib.request.urlopen(urllib.parse.urljoin(base, src), timeout=30).read()
    return np.asarray(Image.open(io.BytesIO(data)).convert(mode)), src


def set_number(driver, elem_id, value):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.CSS_SELECTOR, f"#{elem_id} input[type=number]")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(value), Keys.TAB)


def open_tab(driver, label):
    from selenium.webdriver.common.by import By

    tab = wait_for(lambda: [b for b in driver.find_elements(By.CSS_SELECTOR, "button[role=tab]")
                            if b.text.strip() == label], what=f"the {label} tab")[0]
    tab.click()



def upload_and_translate(driver, url, path):
    """Open the Translate tab, upload ``path`` and press Translate."""
    from selenium.webdriver.common.by import By

    driver.get(url)
    open_tab(driver, "Translate")
    upload = wait_for(lambda: driver.find_elements(
        By.CSS_SELECTOR, "#translate-upload input[type=file]"), what="the upload box")[0]
    upload.send_keys(str(path))
    time.sleep(1.0)  # let the page take the file before the button is pressed
    driver.find_element(By.ID, "translate-button").click()


@needs_browser
def test_sampling_in_the_browser_shows_exactly_the_api_samples(server, browser):
    from selenium.webdriver.common.by import By

    url, _ = server
    browser.get(url)
    wait_for(lambda: browser.find_elements(By.ID, "sample-button"), what="the Sample button")
    preset = demo.available("noise")[0]
    # The page opens on a grid (seed 0), not an empty frame.
    opening, src = shown_pixels(browser, url, "sample-image")
    np.testing.assert_array_equal(opening, images.grid(zoo.load(preset).sample(16, seed=0))[..., 0])
    set_number(browser, "sample-seed", 7)
    browser.find_element(By.ID, "sample-button").click()
    pixels, _ = shown_pixels(browser, url, "sample-image", previous=src)
    expected = images.grid(zoo.load(preset).sample(16, seed=7))[..., 0]
    np.testing.assert_array_equal(pixels, expected)
    browser.save_screenshot(str(SCREENSHOTS / "demo_sample.png"))


@needs_browser
def test_the_walk_slider_moves_along_the_interpolation(server, browser):
    from selenium.webdriver.common.by import By

    url, _ = server
    browser.get(url)
    open_tab(browser, "Walk")
    wait_for(lambda: browser.find_elements(By.ID, "walk-position"), what="the slider")
    preset = demo.available("noise")[0]
    walk = zoo.load(preset).interpolate(0, 1, 8)
    set_number(browser, "walk-position", 5)
    five, src = shown_pixels(browser, url, "walk-image")
    np.testing.assert_array_equal(five, images.grid(walk[5:6])[..., 0])
    set_number(browser, "walk-position", 2)
    two, _ = shown_pixels(browser, url, "walk-image", previous=src)
    np.testing.assert_array_equal(two, images.grid(walk[2:3])[..., 0])
    assert not np.array_equal(two, five)
    browser.save_screenshot(str(SCREENSHOTS / "demo_walk.png"))


@needs_browser
def test_an_uploaded_image_is_translated(server, browser, tmp_path):
    from PIL import Image

    url, _ = server
    preset = demo.available("translate")[0]  # the default of the page's dropdown
    model = zoo.load(preset)
    # An emoji-like upload: a colour disc on a transparent background, 40 px.
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:40, :40]
    picture = rng.uniform(0, 255, (40, 40, 4)).astype(np.uint8)
    picture[..., 3] = np.where(np.hypot(yy - 20, xx - 20) < 15, 255, 0)
    path = tmp_path / "emoji.png"
    Image.fromarray(picture, "RGBA").save(path)
    upload_and_translate(browser, url, path)
    if model.channels == 3:  # transparency onto white, as the emoji data are prepared
        white = Image.new("RGBA", (40, 40), (255, 255, 255, 255))
        upload, mode = Image.alpha_composite(white, Image.fromarray(picture, "RGBA")).convert("RGB"), "RGB"
    else:
        upload, mode = Image.fromarray(picture, "RGBA").convert("L"), "L"
    pixels, _ = shown_pixels(browser, url, "translate-image", mode=mode)
    size = model.image_size
    small = np.asarray(upload.resize((size, size), Image.BILINEAR)).reshape(size, size, -1)
    expected = images.grid(np.stack([small / 127.5 - 1.0, model.translate(small, "a2b")]),
                           cols=2)
    np.testing.assert_array_equal(pixels, expected[..., 0] if mode == "L" else expected)
    browser.save_screenshot(str(SCREENSHOTS / "demo_translate.png"))


@needs_browser
@pytest.mark.parametrize("bad", ["text", "huge"])
def test_a_bad_upload_shows_a_message_not_a_stack_trace(server, browser, tmp_path, bad):
    from PIL import Image

    url, _ = server
    path = tmp_path / ("notes.txt" if bad == "text" else "huge.png")
    if bad == "text":
        path.write_text("this is not an image\n" * 100)
        message = "not an image"
    else:
        Image.new("L", (5000, 5000)).save(path)  # small file, too many pixels
        message = "at most"
    upload_and_translate(browser, url, path)
    text = wait_for(lambda: message in browser.page_source and browser.page_source,
                    what=f"the message {message!r}")
    assert "Traceback" not in text
    browser.save_screenshot(str(SCREENSHOTS / f"demo_bad_upload_{bad}.png"))


def test_twenty_concurrent_requests_all_succeed_with_bounded_memory(server):
    from gradio_client import Client

    psutil = pytest.importorskip("psutil")
    url, proc = server
    preset = demo.available("noise")[0]
    expected = images.grid(zoo.load(preset).sample(16, seed=3))[..., 0]

    def one(_):
        from PIL import Image

        client = Client(url, verbose=False, download_files=False)  # one user each
        result = client.predict(preset, 3, 16, "any", api_name="/sample")
        data = urllib.request.urlopen(result["url"], timeout=60).read()
        return np.asarray(Image.open(io.BytesIO(data)).convert("L"))

    rss = []
    for _ in range(2):
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            outputs = list(pool.map(one, range(20)))
        assert all(np.array_equal(o, expected) for o in outputs)
        rss.append(psutil.Process(proc.pid).memory_info().rss)
    # A second round of 20 must not grow the server by more than a few tens of MiB.
    assert rss[1] - rss[0] < 64 << 20, [r >> 20 for r in rss]


def test_the_translate_tab_offers_a_one_way_model_its_one_direction(tmp_path, monkeypatch):
    """The function behind the Translate button, on a pix2pix preset shipped into
    ``$ZOO_CHECKPOINTS``: the upload resized to the model's size and its translation, as the
    API gives it (seed 0); the direction choices follow the preset."""
    from PIL import Image

    from zoo import checkpoint

    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path / "ckpt"))
    model = zoo.Pix2Pix(image_size=64, channels=3, width=2)
    model.compile()
    checkpoint.save_preset(model, tmp_path / "ckpt" / "pix2pix-noto2twemoji")
    assert "pix2pix-noto2twemoji" in demo.available("translate")
    assert demo.directions("pix2pix-noto2twemoji") == ("a2b",)
    assert demo.directions("cyclegan-noto2twemoji") == ("a2b", "b2a")
    picture = np.random.default_rng(0).uniform(0, 255, (40, 40, 3)).astype(np.uint8)
    Image.fromarray(picture).save(tmp_path / "emoji.png")
    shown = np.asarray(demo.translate("pix2pix-noto2twemoji", str(tmp_path / "emoji.png"), "a2b"))
    small = np.asarray(Image.fromarray(picture).resize((64, 64), Image.BILINEAR))
    expected = images.grid(np.stack([small / 127.5 - 1.0, model.translate(small)]), cols=2)
    np.testing.assert_array_equal(shown[..., :3] if shown.ndim == 3 else shown, expected)
    with pytest.raises(zoo.errors.ZooValueError, match="'a2b'"):
        demo.translate("pix2pix-noto2twemoji", str(tmp_path / "emoji.png"), "b2a")


def test_the_project_tab_shows_the_generator_s_nearest_image(tmp_path, monkeypatch):
    """The function behind the Project button, on a conditional preset shipped into
    ``$ZOO_CHECKPOINTS``: the upload at the model's size beside ``model.project``'s image of
    it (the same call gives the same pixels), the error it reports, the digit required."""
    from PIL import Image

    from zoo import checkpoint

    from tiny import build

    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path / "ckpt"))
    model = build("cgan-mnist")
    checkpoint.save_preset(model, tmp_path / "ckpt" / "cgan-mnist")
    demo.model.cache_clear()
    assert "cgan-mnist" in demo.available("noise")
    digit = np.random.default_rng(0).uniform(0, 255, (20, 20)).astype(np.uint8)
    Image.fromarray(digit).save(tmp_path / "digit.png")
    shown, error = demo.project("cgan-mnist", str(tmp_path / "digit.png"), "3", steps=5)
    small = np.asarray(Image.fromarray(digit).resize((8, 8), Image.BILINEAR))[..., None]
    _, made = model.project(small, labels=[3], steps=5)
    expected = images.grid(np.stack([small / 127.5 - 1.0, made[0]]), cols=2)
    np.testing.assert_array_equal(np.asarray(shown).reshape(expected.shape), expected)
    mse = float(np.mean((made[0] - (small / 127.5 - 1.0)) ** 2))
    assert error.startswith(f"pixel MSE {mse:.4f}")
    with pytest.raises(zoo.errors.ZooValueError, match="digit"):
        demo.project("cgan-mnist", str(tmp_path / "digit.png"), "any")
    demo.model.cache_clear()
