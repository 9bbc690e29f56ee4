"""Take the README's screenshots: the chat on a phone (first screen, mid-check, the result
card) and on a desktop, the privacy page, the share kit, the flyer and the admin page,
against a real server with an embedded Redis.

    .venv/bin/python tests/web/make_screenshots.py [docs/screenshots]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

# Run as a script, Python puts this folder first on the path: the web tests' conftest and
# test_browser are found there, and the app (installed into .venv) anywhere.
from conftest import ADMIN_TOKEN, BOT_USERNAME, CHROMIUM, CHROMIUM_FLAGS, HOTLINE, LiveServer
from playwright.sync_api import sync_playwright
from test_browser import BY_BUTTONS, complete_check, do

from bot import redis_embedded
from bot.app import create_app


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="clearline-shots-"))
    app = create_app({"TESTING": True, "DATA_DIR": str(data), "SECRET_KEY": "shots",
                      "ADMIN_TOKEN": ADMIN_TOKEN, "HOTLINE_NUMBER": HOTLINE,
                      "TELEGRAM_BOT_USERNAME": BOT_USERNAME, "RATE_LIMIT_PER_MINUTE": 1000,
                      "ORG_NAME": "Central Valley Legal Aid (example)",
                      "ORG_URL": "https://legalaid.example.org",
                      "ORG_CONTACT": "(559) 555-0142"})
    server = LiveServer(app)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

            def page(width: int, height: int, scale: float = 1):
                context = browser.new_context(viewport={"width": width, "height": height},
                                              device_scale_factor=scale, locale="en-US")
                return context.new_page()

            # some conversations so the admin page has something to show
            for ref, steps, lang in 3 * (("FRESNOFAIR25", BY_BUTTONS["en"], "en"),
                                         ("FRESNOFAIR25", BY_BUTTONS["es"], "es"),
                                         ("CLINICA7", BY_BUTTONS["es"], "es")):
                complete_check(page(390, 844), f"{server.url}/?ref={ref}", steps, lang,
                               javascript=True)
            for ref in ("CLINICA7", "FRESNOFAIR25"):
                quitter = page(390, 844)
                quitter.goto(f"{server.url}/?ref={ref}")
                do(quitter, "click", "Start in English", javascript=True)

            phone = page(390, 844, 2)
            phone.goto(f"{server.url}/?ref=FRESNOFAIR25")
            phone.screenshot(path=out / "chat-phone-start.png")
            for action, value in BY_BUTTONS["en"][:4]:
                do(phone, action, value, javascript=True)
            phone.screenshot(path=out / "chat-phone.png", full_page=True)
            for action, value in BY_BUTTONS["en"][4:]:
                do(phone, action, value, javascript=True)
            phone.wait_for_timeout(800)
            phone.screenshot(path=out / "chat-phone-result.png")  # what the phone shows

            privacy = page(390, 844, 2)
            privacy.goto(f"{server.url}/privacy")
            privacy.screenshot(path=out / "privacy-phone.png", full_page=True)

            desktop = page(1280, 900)
            complete_check(desktop, f"{server.url}/?ref=FRESNOFAIR25", BY_BUTTONS["es"], "es",
                           javascript=True)
            desktop.screenshot(path=out / "chat-desktop.png", full_page=True)

            share = page(1280, 900)
            share.goto(f"{server.url}/share?code=FRESNOFAIR25")
            share.screenshot(path=out / "share.png", full_page=True)
            share.goto(f"{server.url}/share/flyer?code=FRESNOFAIR25")
            share.emulate_media(media="print")
            share.set_viewport_size({"width": 816, "height": 1056})
            share.screenshot(path=out / "flyer.png", full_page=True)

            admin = page(1280, 900)
            admin.goto(f"{server.url}/admin")
            admin.fill("#token", ADMIN_TOKEN)
            with admin.expect_navigation():
                admin.press("#token", "Enter")
            admin.screenshot(path=out / "admin.png", full_page=True)
            browser.close()
    finally:
        server.stop()
        redis_embedded.stop(data)
    for path in sorted(out.glob("*.png")):
        print(path, path.stat().st_size)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
