"""SMS encoding, segments and the accent policy."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

import dialogs
from dialogs import sms, verdict


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


def test_folding_leaves_a_gsm7_text_as_it_is():
    """The verdict packer prices a GSM-7 span without folding it: nothing to fold there."""
    alphabet = "".join(sorted(sms.GSM_ALL))
    assert sms.is_gsm7(alphabet) and sms.fold(alphabet) == alphabet


# --- sizes that add up, and the verdict packing priced on them -------------------------

# Plain GSM-7, extension characters, accents GSM-7 lacks, typographic marks, emoji.
_CHARS = st.sampled_from(list("aZ9 ,.?¿¡ñéü{}[]~|€^\n") + list("áíóúÁç…—“”") + ["😀", "漢"])
_TEXT = st.text(_CHARS, max_size=120)


# Mostly plain letters, as the catalogs write: an accent or a mark now and then.
_MOSTLY_PLAIN = st.sampled_from(list("abcdefghij klmnop qrstu vwxyz,.") * 8
                                + list("áíóúñé¿{€…") + ["😀"])


def _catalog_like(most: int, least: int = 1) -> st.SearchStrategy[str]:
    """Text as the catalogs hold it: not empty, no space at either end."""
    return st.text(_MOSTLY_PLAIN, min_size=least, max_size=most).map(str.strip).filter(bool)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=4), st.lists(_TEXT.filter(bool), max_size=3))
def test_sizes_add_up_and_price_a_message_as_sent(parts, labels):
    """The packer prices joined parts from their sizes: that must be what the SMS costs."""
    text = " ".join(parts)
    assert sms.total([sms.size(p) for p in parts]) == sms.size(text)
    body = sms.size(text) if not labels else sms.total([sms.size(text),
                                                        sms.labels_size(labels)])
    assert body == sms.size(sms.body(text, labels))
    assert sms.cost(body) == sms.segments(sms.body(*sms.cheapest(text, labels)))
    assert sms.price(text, labels) == sms.cost(body)
    sized = [sms.size(label) for label in labels]
    assert sms.numbered_size(sized) == sms.labels_size(labels)


def _cheapest_by_trying_every_split(texts: list[str], ask: str, labels: list[str]) -> int:
    """The fewest segments over every way of cutting the texts into messages of at most
    two segments, the last ending with the question (or the question alone)."""
    best = None
    n = len(texts)
    for cuts in itertools.product((False, True), repeat=n):  # cuts[i]: a new message at i
        messages, current = [], []
        for i, text in enumerate(texts):
            if cuts[i] and current:
                messages.append(" ".join(current))
                current = []
            current.append(text)
        for last in ([*messages, " ".join(current) + " " + ask] if current else [],
                     [*messages, " ".join(current), ask] if current else [ask]):
            if not last:
                continue
            costs = [sms.segments(sms.body(*sms.cheapest(m, labels if k == len(last) - 1
                                                          else [])))
                     for k, m in enumerate(last)]
            if all(c <= verdict.MAX_SEGMENTS for c in costs):
                best = sum(costs) if best is None else min(best, sum(costs))
    return best


@settings(max_examples=400, deadline=None)
@given(st.lists(_catalog_like(160, 30), min_size=2, max_size=6), _catalog_like(60),
       st.sampled_from([["Yes", "No"], ["Sí", "No"], ["Sí… {más}", "No"]]))
def test_the_verdict_packing_is_the_cheapest_of_every_split(texts, ask, labels):
    """Every packed message fits in two segments, and none could cost fewer in all."""
    packed = verdict._pack(texts, ask, labels)
    cheapest = _cheapest_by_trying_every_split(texts, ask, labels)
    if cheapest is None:
        return  # a text past two segments on its own: nothing fits (the engine never makes one)
    costs = [sms.segments(sms.body(*sms.cheapest(m, labels if k == len(packed) - 1 else [])))
             for k, m in enumerate(packed)]
    assert all(c <= verdict.MAX_SEGMENTS for c in costs)
    assert sum(costs) == cheapest
