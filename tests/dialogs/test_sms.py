"""SMS encoding, segments and the accent policy."""

import dialogs
from dialogs import sms


def test_gsm7_and_ucs2_segment_sizes():
    assert sms.encode_info("a" * 160).segments == 1
    assert sms.encode_info("a" * 161).segments == 2
    assert sms.encode_info("a" * 306).segments == 2
    assert sms.encode_info("á" * 70) == sms.Encoded("UCS-2", 70, 1)
    assert sms.encode_info("á" * 71).segments == 2
    assert sms.encode_info("{}").units == 4
    assert sms.encode_info("ñé¿¡ü").encoding == "GSM-7"
    assert sms.encode_info("😀").units == 2


def test_accents_are_kept_when_they_cost_nothing_and_folded_when_they_do():
    short = {"text": "¿Qué edad tenía?", "choices": []}
    assert dialogs.render_sms(short) == "¿Qué edad tenía?"
    long_text = "Información " * 10
    body = dialogs.render_sms({"text": long_text, "choices": []})
    assert "Informacion" in body and sms.encode_info(body).encoding == "GSM-7"


def test_sms_replies_from_step_carry_the_cheap_rendering_and_web_the_full_text():
    state, _ = dialogs.step(None, {"text": "hola", "channel": "web"})
    assert "¿Dónde" in dialogs.step(None, {"text": "hola", "channel": "web"})[1][1]["text"]
    _, replies = dialogs.step(None, {"text": "hola", "channel": "sms"})
    assert "¿Donde" in replies[1]["text"]  # folded with the welcome: both go as GSM-7
    assert sms.segments(dialogs.render_sms(replies[0])) == 1


def test_folded_si_is_plain_si_never_a_letter_from_another_language():
    reply = {"text": "¿Todavía cumple su condena? Eso incluye cárcel o prisión, y más cosas "
                     "que también cuentan aquí.",
             "choices": [{"id": "yes", "label": "Sí"}, {"id": "no", "label": "No"}]}
    body = dialogs.render_sms(reply)
    assert sms.is_gsm7(body)
    assert "1 Si\n" in body and "ì" not in body
    assert sms.fold("Sí, al menos una; así") == "Si, al menos una; asi"
