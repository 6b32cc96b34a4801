#!/usr/bin/env python3
"""docs/editor.png: the editor (`bulletin-print serve`) on a copy of the sample issue, as headless
Chromium (Debian's chromium and chromium-driver) shows it, with the preview beside the form.

usage: .venv/bin/python scripts/editor_screenshot.py [OUTPUT]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "editor.png"
    with tempfile.TemporaryDirectory() as tmp:
        issues = Path(tmp) / "issues"
        (issues / "2024").mkdir(parents=True)
        shutil.copy(ROOT / "issues" / "publication.yaml", issues)
        shutil.copy(ROOT / "issues" / "2024" / "12.yaml", issues / "2024")
        proc = subprocess.Popen([sys.executable, "-m", "bulletin_print", "serve", tmp], stdout=subprocess.PIPE, text=True)
        url = next(m.group(0) for line in proc.stdout if (m := re.search(r"http://127\.0\.0\.1:\d+/", line)))
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1440,900", "--hide-scrollbars"):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            driver.get(url + "edit?file=2024/12.yaml")
            deadline = time.monotonic() + 60
            while not driver.execute_script("return document.body.dataset.previewSequence") and time.monotonic() < deadline:
                time.sleep(0.2)
            area = driver.find_element(By.CSS_SELECTOR, '[data-field="columns[0].articles[0].paragraphs[1]"]')
            driver.execute_script("arguments[0].focus({preventScroll: true}); arguments[0].setSelectionRange(0, 0)", area)
            time.sleep(1)  # the UI font
            output.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(output))
        finally:
            driver.quit()
            proc.terminate()
            proc.wait(timeout=10)
    print(output)


if __name__ == "__main__":
    main()
