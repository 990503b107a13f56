"""`bondgenoten play` in a real browser: Debian's Chromium, driven by Selenium and chromedriver.

The test starts the command as a process, plays the chief sending a check-in through the
wizard's buttons, switches to a key figure who presses an answer, sees the group's tally
change, closes the check-in as the chief and sees the summary arrive. Screenshots of every
step are saved (the folder is printed) for a person to look at, above all when it fails.

Skipped only when Chromium or its driver is missing and CI is not set; under CI=true a
missing browser fails. Selenium Manager stays off: nothing downloads a browser of its own.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("PLAY_SCREENSHOTS", ROOT / "tests" / "artifacts" / "play"))
WAIT = 30
STARTUP = 120
ADDRESS = re.compile(rb"open (http://127\.0\.0\.1:\d+/)")

_missing = not (CHROMIUM.exists() and CHROMEDRIVER.exists())
_ci = os.environ.get("CI", "").lower() not in ("", "0", "false")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        _missing and not _ci,
        reason="Debian's chromium and chromium-driver are not installed (CI=true: a failure)",
    ),
]


@pytest.fixture
def play_url(tmp_path: Path) -> Iterator[str]:
    """`bondgenoten play --no-browser` running on its own temporary SQLite database."""
    assert not _missing, "install chromium and chromium-driver (apt-get) for the browser test"
    command = [sys.executable, "-m", "bot", "play", "--no-browser"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "BONDGENOTEN_LANGUAGE": "nl"}
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    seen = b""
    # A start that hangs ends the process, so the wait for its address below ends too.
    watchdog = threading.Timer(STARTUP, process.kill)
    watchdog.start()
    try:
        while (found := ADDRESS.search(seen)) is None:
            line = process.stdout.readline()  # the address comes once the network is built
            assert line, f"bondgenoten play ended before serving:\n{seen.decode()}"
            seen += line
        watchdog.cancel()
        yield found.group(1).decode()
    finally:
        watchdog.cancel()
        process.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            rest = process.communicate(timeout=WAIT)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        assert process.returncode == 0, (seen + rest).decode()
        assert b"bondgenoten play: gestopt" in rest


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Headless Chromium through Debian's chromedriver, a phone-and-list sized window."""
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager fetch anything
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--window-size=1000,900", "--disable-gpu",
                     "--disable-dev-shm-usage", "--lang=nl"):  # fmt: skip
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


class Page:
    """The play page as a visitor uses it: choose a person and a chat, type, press."""

    def __init__(self, driver: Any, folder: Path) -> None:
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        # The chat is redrawn whenever the bot sends or edits: look again, never give up on it.
        stale = [StaleElementReferenceException]
        self.wait = WebDriverWait(driver, WAIT, ignored_exceptions=stale)
        self.folder = folder
        self.shots = 0

    def shot(self, name: str) -> None:
        self.shots += 1
        self.driver.save_screenshot(str(self.folder / f"{self.shots:02d}-{name}.png"))

    def click(self, css: str) -> None:
        from selenium.webdriver.common.by import By

        self.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, css).is_enabled())
        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def be(self, name: str) -> None:
        """Choose the person by name in the list."""
        from selenium.webdriver.common.by import By

        xpath = f"//ul[@id='people']//button[span[@class='name' and text()='{name}']]"
        self.wait.until(lambda d: d.find_elements(By.XPATH, xpath))
        self.driver.find_element(By.XPATH, xpath).click()
        self.wait.until(lambda d: name in d.find_element(By.ID, "who-name").text)

    def open_chat(self, title: str) -> None:
        from selenium.webdriver.common.by import By

        xpath = f"//nav[@id='chats']/button[contains(., '{title}')]"
        self.wait.until(lambda d: d.find_elements(By.XPATH, xpath))
        chat_id = self.driver.find_element(By.XPATH, xpath).get_attribute("data-chat")
        self.driver.find_element(By.XPATH, xpath).click()
        self.wait.until(
            lambda d: d.find_element(By.ID, "messages").get_attribute("data-chat") == chat_id
        )

    def type(self, text: str) -> None:
        from selenium.webdriver.common.by import By

        box = self.driver.find_element(By.ID, "text")
        box.clear()
        box.send_keys(text)
        self.click("#send")

    def message(self, part: str) -> Any:
        """The latest message in the open chat that shows this text, once it is there."""
        from selenium.webdriver.common.by import By

        def found(driver: Any) -> Any:
            shown = [
                m
                for m in driver.find_elements(By.CSS_SELECTOR, "#messages .msg")
                if part in m.text
            ]
            return shown[-1] if shown else False

        return self.wait.until(found)

    def chart(self) -> None:
        """Wait until a chart (a photo) is in the open chat and the browser has drawn it."""
        script = (
            "return [...document.querySelectorAll('#messages img.photo')]"
            ".some((img) => img.complete && img.naturalWidth > 0)"
        )
        self.wait.until(lambda d: d.execute_script(script))
        self.driver.execute_script(
            "const box = document.getElementById('messages'); box.scrollTop = box.scrollHeight;"
        )

    def press(self, part: str, label: str, then: str) -> None:
        """Press a button under the latest message showing `part`; wait until `then` shows."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By

        def pressed(driver: Any) -> bool:
            try:
                message = self.message(part)
                buttons = message.find_elements(By.CSS_SELECTOR, "button.kb")
                button = next(b for b in buttons if b.text == label)
                button.click()
                return True
            except (StaleElementReferenceException, StopIteration):
                return False  # the message was just redrawn: find it again

        self.wait.until(pressed)
        self.message(then)


def test_a_chief_asks_a_key_figure_answers_and_the_summary_arrives(
    play_url: str, browser: Any, request: pytest.FixtureRequest
) -> None:
    folder = SCREENSHOTS / re.sub(r"\W+", "-", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    print(f"screenshots of the page: {folder}")
    page = Page(browser, folder)
    try:
        browser.get(play_url + "?lang=nl")
        page.be("Jan de Vries")
        page.open_chat("Privé")
        page.shot("chief")

        page.type("/peiling Brand in de flat")
        page.message("Welke wijken")
        page.shot("wizard")
        page.press("Welke wijken", "Verder ➡️", "Hoe lang blijft")
        page.press("Hoe lang blijft", "6 uur", "Mogen de bondgenoten")
        page.press("Mogen de bondgenoten", "Live tonen", "Voorbeeld")
        page.press("Voorbeeld", "✅ Versturen", "verstuurd naar")
        sent = page.message("verstuurd naar").text
        number = re.search(r"#(\d+)", sent)
        assert number, sent
        page.shot("sent")

        page.be("Fatima")
        page.open_chat("Bondgenoten Overvecht")
        page.message("0 van 3 bondgenoten")
        page.shot("key-figure")
        page.press("Brand in de flat", "Onrust", "1 van 3 bondgenoten")
        page.shot("tally")

        page.be("Jan de Vries")
        page.open_chat("Privé")
        page.type(f"/sluit {number.group(1)}")
        summary = page.message("📊 Samenvatting")
        assert "Brand in de flat" in summary.text
        assert "Onrust" in summary.text
        page.chart()
        page.shot("summary")
    except BaseException:
        page.shot("failed")
        print(f"the page when it failed: {folder}")
        raise
