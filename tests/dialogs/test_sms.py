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
    assert "asesoría" in dialogs.step(None, {"text": "hola", "channel": "web"})[1][0]["text"]
    _, replies = dialogs.step(None, {"text": "hola", "channel": "sms"})
    assert "asesoria" in replies[0]["text"]
    assert sms.segments(dialogs.render_sms(replies[0])) == 1


def test_si_stays_readable_as_yes_when_a_spanish_sms_is_folded():
    reply = {"text": "¿Todavía cumple su condena? Eso incluye cárcel o prisión, y más cosas "
                     "que también cuentan aquí.",
             "choices": [{"id": "yes", "label": "Sí"}, {"id": "no", "label": "No"}]}
    body = dialogs.render_sms(reply)
    assert sms.is_gsm7(body)
    assert "1 Sì\n" in body and "1 Si\n" not in body
    assert sms.fold("Sí, una o más; así") == "Sì, una o mas; asi"
