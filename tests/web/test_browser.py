"""The web chat, share kit and admin in a real Chromium against a real server and Redis.

A complete check in English and in Spanish, by clicking buttons and by typing, with
JavaScript on and off; the share page's QR codes decoded from the rendered page; the
admin page before and after conversations; an axe-core scan of the chat and share pages.
"""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest

# A complete check as a person does it: ("click", button label) or ("type", text).
# Possession, 2010, Fresno, misdemeanor, not concentrate, 21 or older: a verdict with its citation.
BY_BUTTONS = {
    "en": [("click", "Start in English"), ("click", "California"), ("click", "Had it"),
           ("type", "2010"), ("type", "Fresno"), ("click", "Misdemeanor"), ("click", "No"),
           ("click", "21 or older")],
    "es": [("click", "Empezar en español"), ("click", "California"), ("click", "Tenerla"),
           ("type", "2010"), ("type", "Fresno"), ("click", "Delito menor"), ("click", "No"),
           ("click", "21 en adelante")],
}
BY_TYPING = {
    "en": [("type", "hello"), ("type", "california"), ("type", "possession"),
           ("type", "around 2010"), ("type", "fresno"), ("type", "misdemeanor"),
           ("type", "no"), ("type", "25")],
    "es": [("type", "hola"), ("type", "california"), ("type", "tenerla"), ("type", "2010"),
           ("type", "fresno"), ("type", "delito menor"), ("type", "no"), ("type", "25")],
}
VERDICT_MARK = re.compile(r"HS 1136\d")  # every conclusion cites its statute
ANOTHER = {"en": "Do you want to check another conviction?",
           "es": "¿Quiere revisar otra condena?"}
YES = {"en": "Yes", "es": "Sí"}
NO = {"en": "No", "es": "No"}
DONT_KNOW = {"en": "Don't know", "es": "No sé"}


def bot_count(page) -> int:
    return page.locator("#log li.bot").count()


def do(page, action: str, value: str, *, javascript: bool) -> None:
    """Answer once, the way a person would, and wait for the bot's reply."""
    before = bot_count(page)
    lang_before = page.evaluate("document.documentElement.lang") if javascript else None
    if action == "click":
        target = page.locator("#choices").get_by_role("button", name=value, exact=True)
        trigger = target.click
    else:
        page.fill("#answer", value)
        def trigger() -> None:
            page.press("#answer", "Enter")
    if not javascript:
        with page.expect_navigation():
            trigger()
        return
    trigger()
    page.wait_for_function(
        """([n, lang]) => document.documentElement.lang !== lang ||
             (document.querySelectorAll('#log li.bot').length > n &&
              document.getElementById('log-region').getAttribute('aria-busy') !== 'true')""",
        arg=[before, lang_before],
    )
    page.wait_for_load_state()


def complete_check(page, url: str, steps, lang: str, *, javascript: bool) -> tuple[str, list]:
    """Go through ``steps``; should the flow ask more (editors add questions), answer
    "No" or "Don't know" until the verdict, at most 6 times. Returns the text on the
    page and what the person said."""
    page.goto(url)
    said = []
    for action, value in steps:
        do(page, action, value, javascript=javascript)
        said.append(value)
    for _ in range(6):
        if ANOTHER[lang] in page.locator("#log").inner_text():
            break
        buttons = page.locator("#choices button.choice").all_text_contents()
        answer = next((b for b in (NO[lang], DONT_KNOW[lang]) if b in buttons), None)
        if answer:
            do(page, "click", answer, javascript=javascript)
        else:
            do(page, "type", DONT_KNOW[lang], javascript=javascript)
        said.append(answer or DONT_KNOW[lang])
    page.wait_for_selector("#log li.bot")
    assert page.evaluate("document.documentElement.lang") == lang
    return page.locator("#log").inner_text(), said


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("how", ["buttons", "typing"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_complete_check(new_page, live_server, lang, how, javascript):
    page = new_page(javascript=javascript)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    steps = (BY_BUTTONS if how == "buttons" else BY_TYPING)[lang]
    transcript, said = complete_check(page, f"{live_server.url}/?ref=BROWSER1", steps, lang,
                                      javascript=javascript)
    assert VERDICT_MARK.search(transcript), transcript
    assert ANOTHER[lang] in transcript
    assert page.locator("#choices").get_by_role("button", name=YES[lang], exact=True).is_visible()
    # the whole conversation stays on the page, both sides, with JavaScript on or off
    shown = [t.split(": ", 1)[1] for t in page.locator("#log li.me").all_text_contents()]
    assert [s.lower() for s in shown] == [s.lower() for s in said]
    assert page.locator("#log li.bot").count() >= 8
    # the verdict is a result card whose heading is on the (phone) screen
    heading = page.locator("#result h3")
    assert heading.count() == 1
    assert_in_viewport(page, heading)
    assert not errors


def assert_in_viewport(page, locator) -> None:
    """The element's top edge is on the screen (not above it, not below it)."""
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    assert box is not None and 0 <= box["y"] < height - 20, (box, height)


def settled(page) -> None:
    """Wait until new choices take taps again (they ignore them for a moment)."""
    page.wait_for_function(
        "() => !document.getElementById('choices').classList.contains('settling')")


def me_texts(page) -> list[str]:
    return [t.split(": ", 1)[1] for t in page.locator("#log li.me").all_text_contents()]


def test_new_messages_are_announced_and_focus_goes_to_the_newest_not_a_choice(page, live_server):
    page.goto(live_server.url)
    log = page.locator("#log-region")
    assert log.get_attribute("role") == "log"
    assert log.get_attribute("aria-live") == "polite"
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    do(page, "click", "Start in English", javascript=True)
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.className]")
    assert focused == ["LI", "msg bot"]  # the first new message, for screen readers
    assert "Hi! Clearline checks" in page.evaluate("document.activeElement.textContent")
    assert page.locator("#choices .choice:focus").count() == 0  # nothing pre-selected
    assert page.locator("#choices legend").inner_text() == "Choose an answer"
    settled(page)
    page.keyboard.press("Tab")  # keyboard only: the first choice, then the next
    assert page.evaluate("document.activeElement.textContent") == "California"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Federal court"
    page.wait_for_function("() => document.querySelectorAll('#log li.me').length === 2")
    assert "Federal court" in page.locator("#log li.me").last.inner_text()


def test_a_double_enter_never_answers_the_next_question(page, live_server):
    page.goto(live_server.url)
    for action, value in BY_BUTTONS["en"][:4]:  # to the county question (typed)
        do(page, action, value, javascript=True)
    before = bot_count(page)
    page.fill("#answer", "Fresno")
    page.press("#answer", "Enter")
    page.press("#answer", "Enter")  # the second Enter, at once
    page.wait_for_function(f"() => document.querySelectorAll('#log li.bot').length > {before}")
    page.press("#answer", "Enter")  # and once more just after the reply came
    assert "felony or a misdemeanor" in page.locator("#log li.bot").last.inner_text()
    page.wait_for_timeout(1200)
    assert me_texts(page)[-1] == "Fresno"
    assert len(me_texts(page)) == 5  # nothing answered "Felony" for the person
    assert page.evaluate("document.activeElement.id") == "answer"  # the text box stays ready
    assert page.locator("#error").is_hidden()
    assert page.locator("#choices .choice").all_text_contents()[:2] == ["Felony", "Misdemeanor"]


def test_a_double_tap_never_answers_the_next_question_or_erases(page, live_server):
    page.goto(live_server.url)
    do(page, "click", "Start in English", javascript=True)
    settled(page)
    box = page.locator("#choices").get_by_role("button", name="California").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    before = bot_count(page)
    page.mouse.click(x, y)
    page.wait_for_function(f"() => document.querySelectorAll('#log li.bot').length > {before}")
    page.mouse.click(x, y)  # the second tap of a double tap lands on the new question
    page.wait_for_timeout(1200)
    assert me_texts(page) == ["Start in English", "California"]
    assert "Erase everything" not in page.locator("#log").inner_text()
    assert "What was the case for?" in page.locator("#log li.bot").last.inner_text()
    # "Erase my answers" sits at the top, away from the answers under the finger
    erase = page.locator("#erase button").bounding_box()
    log = page.locator("#log").bounding_box()
    assert erase["y"] + erase["height"] <= log["y"]


def test_the_whole_conversation_survives_a_reload_a_language_switch_and_the_link(
        new_page, live_server):
    page = new_page()
    page.goto(f"{live_server.url}/?ref=RELOAD1")
    for action, value in BY_BUTTONS["en"][:5]:
        do(page, action, value, javascript=True)
    said = me_texts(page)
    page.reload()
    assert me_texts(page) == said
    assert page.locator("#progress").inner_text().startswith("Question 5 of about")
    with page.expect_navigation():
        page.locator("#switch button").click()  # Español: the page reloads in Spanish
    assert page.evaluate("document.documentElement.lang") == "es"
    assert me_texts(page) == [*said, "Español"]
    page.goto(f"{live_server.url}/?ref=RELOAD1")  # the shared link opened again
    assert me_texts(page) == [*said, "Español"]


def test_a_finished_check_shows_its_result_card_again(new_page, live_server):
    page = new_page()
    complete_check(page, live_server.url, BY_BUTTONS["en"], "en", javascript=True)
    page.reload()
    card = page.locator("#result")
    assert card.locator("h3").inner_text().strip()
    assert card.locator('a[href^="https:"]').count() >= 1  # contacts are links
    assert card.get_by_role("button", name="Print this result").is_visible()


def test_the_cookie_holds_no_message_text(new_page, live_server):
    import base64
    import json
    import zlib

    page = new_page()
    complete_check(page, live_server.url, BY_TYPING["en"], "en", javascript=True)
    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    assert cookie["httpOnly"]
    payload = cookie["value"].split(".")
    data = payload[1] if payload[0] == "" else payload[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    decoded = json.loads(zlib.decompress(raw) if payload[0] == "" else raw)
    assert set(decoded) <= {"sid", "lang", "csrf_token", "ref", "said", "notice", "error"}
    text = json.dumps(decoded, ensure_ascii=False).lower()
    for words in ("fresno", "2010", "possession", "misdemeanor", "destroyed", "court"):
        assert words not in text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_privacy_page_in_both_languages(page, live_server, lang):
    page.goto(f"{live_server.url}/?lang={lang}")
    with page.expect_navigation():
        page.locator("footer a[href*='/privacy']").click()
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.locator("h1").inner_text() in (
        "What Clearline keeps, and for how long", "Qué guarda Clearline y por cuánto tiempo")
    assert "30" in page.locator("main").inner_text()
    assert_accessible(page)


def test_a_lost_connection_keeps_the_answer_to_send_again(page, live_server):
    page.goto(live_server.url)
    do(page, "click", "Start in English", javascript=True)
    page.route("**/api/chat", lambda route: route.abort())
    page.fill("#answer", "Fresno")
    page.press("#answer", "Enter")
    page.locator("#error").wait_for()
    assert "could not reach Clearline" in page.locator("#error").inner_text()
    assert page.input_value("#answer") == "Fresno"  # nothing lost
    assert page.locator("#log li.me").count() == 1  # the bubble was taken back
    page.unroute("**/api/chat")
    do(page, "type", "Fresno", javascript=True)
    assert page.locator("#error").is_hidden()


def test_an_expired_csrf_token_is_renewed_without_bothering_the_person(page, live_server):
    page.goto(live_server.url)
    page.evaluate("document.querySelector('meta[name=csrf-token]').content = 'stale'")
    do(page, "click", "Start in English", javascript=True)
    assert "Where was the case?" in page.locator("#log").inner_text()
    assert page.locator("#log li.me").count() == 1


def test_empty_answer_shows_an_error_not_a_request(page, live_server):
    page.goto(live_server.url)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.click("button.send")
    assert page.locator("#error").is_visible()
    assert page.get_attribute("#answer", "aria-invalid") == "true"
    assert not [u for u in requests if u.endswith("/api/chat")]


def test_erase_my_answers(page, live_server):
    page.goto(live_server.url)
    do(page, "click", "Start in English", javascript=True)
    do(page, "click", "California", javascript=True)
    settled(page)
    with page.expect_navigation():  # a plain form post, also without JavaScript
        page.locator("#erase button").click()
    assert "Erase everything" in page.locator("#log").inner_text()
    do(page, "click", "Yes, erase", javascript=True)
    assert "We erased everything" in page.locator("#log").inner_text()
    page.goto(live_server.url)  # the old answers are gone: "hi" starts from the beginning
    do(page, "type", "hi", javascript=True)
    assert "Where was the case?" in page.locator("#log li.bot").last.inner_text()


def test_share_kit_qr_codes_decode_to_the_links(page, live_server):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/share")
    page.fill("#code", "fresnofair25")
    with page.expect_navigation():
        page.press("#code", "Enter")
    cards = page.locator("li.card")
    assert cards.count() == 8  # web, Telegram, SMS and WhatsApp, in two languages
    found = {}
    for i in range(cards.count()):
        card = cards.nth(i)
        href = card.locator("p.url a").get_attribute("href")
        png = card.locator("img.qr").screenshot()
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        assert decoded, f"no QR code found for {href}"
        assert decoded[0].text == href
        found[(card.get_attribute("data-kind"), card.get_attribute("data-lang"))] = href
    assert found[("web", "en")] == f"{live_server.url}/?ref=FRESNOFAIR25"
    assert found[("web", "es")] == f"{live_server.url}/?ref=FRESNOFAIR25&lang=es"
    conf = live_server.app.config
    bot, hotline = conf["TELEGRAM_BOT_USERNAME"], conf["HOTLINE_NUMBER"]
    assert found[("telegram", "en")] == f"https://t.me/{bot}?start=FRESNOFAIR25"
    assert found[("sms", "en")] == f"sms:{hotline}?&body=" + quote("Hi! Code FRESNOFAIR25")
    assert found[("sms", "es")] == f"sms:{hotline}?&body=" + quote("¡Hola! Código FRESNOFAIR25")
    number = conf["WHATSAPP_NUMBER"].lstrip("+")
    assert found[("whatsapp", "es")] == f"https://wa.me/{number}?text=" + quote(
        "¡Hola! Código FRESNOFAIR25")
    # "Copy link" puts the link on the clipboard (or selects it where that is not allowed)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    first = cards.nth(0)
    first.get_by_role("button", name="Copy link").click()
    status = first.get_by_role("status")
    status.wait_for()
    assert status.inner_text() in ("Link copied.", "Select the link and copy it.")
    if status.inner_text() == "Link copied.":
        assert page.evaluate("navigator.clipboard.readText()") == found[("web", "en")]
    # the web link opens the chat with the code, in the right language
    page.goto(found[("web", "es")])
    assert page.evaluate("document.documentElement.lang") == "es"


def test_share_refuses_a_bad_code(page, live_server):
    page.goto(f"{live_server.url}/share")
    page.fill("#code", "no spaces!")
    with page.expect_navigation():
        page.press("#code", "Enter")
    assert page.get_attribute("#code", "aria-invalid") == "true"
    assert page.locator("#code-error").is_visible()
    assert page.locator("img.qr").count() == 0


def test_flyer_prints_on_one_page(page, live_server):
    page.goto(f"{live_server.url}/share/flyer?code=ABC12")
    assert page.locator("#print").is_visible()  # the script shows the Print button
    page.emulate_media(media="print")
    assert not page.locator(".flyer-tools").is_visible()
    pdf = page.pdf(format="Letter")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1


SMALL = re.compile(r"^\s*[1-4]\s*$")


def test_admin_refuses_without_the_token_then_counts_people_and_hides_small_counts(
        new_page, live_server):
    from bot import stats

    redis = live_server.app.extensions["clearline"].store.redis
    admin = new_page(width=1280, height=900)
    response = admin.goto(f"{live_server.url}/admin")
    assert response.status == 401
    assert admin.locator("[data-metric]").count() == 0
    admin.fill("#token", "wrong")
    with admin.expect_navigation():
        admin.press("#token", "Enter")
    assert admin.locator("#token-error").is_visible()
    admin.fill("#token", live_server.app.config["ADMIN_TOKEN"])
    with admin.expect_navigation():
        admin.press("#token", "Enter")
    before = stats.read(redis)["totals"]

    for javascript in (True, False):
        person = new_page(javascript=javascript)
        complete_check(person, f"{live_server.url}/?ref=ADMINTEST", BY_BUTTONS["en"], "en",
                       javascript=javascript)
    # the last one checks a second conviction: the same questions again, the same person
    do(person, "click", YES["en"], javascript=False)
    for _ in range(10):
        if person.locator("#log li.card").count() == 2:
            break
        buttons = person.locator("#choices button.choice").all_text_contents()
        asked = person.locator("#log li.bot").last.inner_text()
        pick = "Yes" if "County too?" in asked else next(
            (b for b in ("Had it", "Misdemeanor", "21 or older", "No") if b in buttons), None)
        if pick:
            do(person, "click", pick, javascript=False)
        else:
            do(person, "type", "2012", javascript=False)
    assert person.locator("#log li.card").count() == 2
    quitter = new_page()  # starts, answers one question, leaves
    quitter.goto(f"{live_server.url}/?ref=ADMINTEST")
    do(quitter, "click", "Start in English", javascript=True)

    after = stats.read(redis)["totals"]
    assert after["started"] == before["started"] + 3
    assert after["completed"] == before["completed"] + 2  # people who got an answer
    assert after["verdicts"] >= before["verdicts"] + 3  # convictions checked
    admin.reload()
    # every share of those who started is at most 100%
    shares = [int(t.rstrip("%")) for t in admin.locator("#h-funnel").locator("..").locator(
        "table td.num").all_text_contents() if t.endswith("%")]
    assert shares and max(shares) <= 100
    assert "Which court (state or other)?" in admin.locator("#funnel").text_content()
    assert "disqualifiers" not in admin.content() and "same_place" not in admin.content()
    # no count under 5 anywhere: tables, chart labels, totals
    cells = admin.locator("td.num, [data-metric], svg.chart text.val").all_text_contents()
    counts = [c.split(" · ")[0] for c in cells]
    assert counts and not [c for c in counts if SMALL.match(c)]
    csv = admin.request.get(f"{live_server.url}/admin/stats.csv").text()
    assert not re.search(r",[1-4]\r?$", csv, re.M), csv
    assert_accessible(admin)


def assert_accessible(page) -> None:
    """axe-core finds no violation at all on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert not results.response["violations"], results.generate_report()


@pytest.mark.parametrize("path", [
    "/", "/?lang=es", "/share", "/share?code=ABC12", "/share?code=no%20way",
    "/share/flyer?code=ABC12", "/admin", "/privacy", "/privacy?lang=es",
])
def test_no_accessibility_violations(page, live_server, path):
    page.goto(live_server.url + path)
    assert_accessible(page)
    if path in ("/", "/?lang=es"):  # and in the middle of a conversation
        do(page, "type", "hi", javascript=True)
        assert_accessible(page)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_no_accessibility_violations_with_a_result_card(new_page, live_server, lang):
    page = new_page()
    complete_check(page, live_server.url, BY_BUTTONS[lang], lang, javascript=True)
    assert_accessible(page)
    page.reload()
    assert_accessible(page)


def test_first_load_is_light(page, live_server):
    sizes = []
    page.on("requestfinished", lambda r: sizes.append(r.sizes()))
    page.goto(live_server.url, wait_until="networkidle")
    total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
    print(f"first load: {len(sizes)} requests, {total} bytes transferred")
    assert len(sizes) <= 4
    assert total < 40_000
