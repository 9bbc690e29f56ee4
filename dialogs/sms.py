"""SMS encoding, segment counts and the SMS rendering policy.

A message is sent as GSM-7 when every character is in the GSM 03.38 alphabet
(160 characters in one segment, 153 a segment when split; the extension
characters ``^{}\\[~]|€`` count twice), otherwise as UCS-2 (70 / 67; characters
outside the Basic Multilingual Plane, such as most emoji, count twice).

Policy for Spanish (and any text): the catalogs hold correct Spanish with every
accent. GSM-7 already has é, ñ, ü, ¿ and ¡, but not á, í, ó, ú. For the SMS
channel only, a message keeps all its accents when that costs no extra segment;
otherwise á, í, ó, ú (and capitals) are written without the accent so the
message goes out as GSM-7. Typographic quotes and dashes become their plain
forms, and characters GSM-7 cannot carry are dropped only when the message
would otherwise cost more. The web and Telegram always get the full text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, NamedTuple

GSM_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION: Final = frozenset("^{}\\[~]|€\f")

# What the SMS rendering may change, cheapest correct form first.
_FOLD: Final = str.maketrans(
    {
        "á": "a", "í": "i", "ó": "o", "ú": "u",
        "Á": "A", "Í": "I", "Ó": "O", "Ú": "U",
        "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u",
        "ç": "c", "ã": "a", "õ": "o", "ï": "i", "ë": "e",
        "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
        "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ",
    }
)

POLICY: Final = (
    "Catalogs keep correct accents. SMS only: the replies of a step keep their accents when "
    "that costs no extra segment (each alone, or joined); otherwise á í ó ú lose the accent "
    "so they go out as GSM-7 (é ñ ü ¿ ¡ are GSM-7 and always stay; no letter from another "
    "language is used: \"Sí\" becomes \"Si\"). Web and Telegram get the full text."
)


@dataclass(frozen=True)
class Encoded:
    """How one SMS body would be sent."""

    encoding: str  # "GSM-7" | "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


GSM_ALL: Final = GSM_BASIC | GSM_EXTENSION
_EXTENSION: Final = re.compile(f"[{re.escape(''.join(sorted(GSM_EXTENSION)))}]")
_NOT_GSM: Final = re.compile(f"[^{re.escape(''.join(sorted(GSM_ALL)))}]")
_ASTRAL: Final = re.compile("[\U00010000-\U0010ffff]")  # two UTF-16 code units each
# What ``fold`` changes, found by one scan (translating every character costs more).
_FOLDED: Final = {chr(code): to for code, to in _FOLD.items()}
_FOLDABLE: Final = re.compile(f"[{re.escape(''.join(sorted(_FOLDED)))}]")


# ASCII as bytes: deleting these leaves the characters GSM-7 cannot carry, or its
# extension characters (one C pass each: cheaper than a regular expression's scan).
_ASCII_GSM_BYTES: Final = bytes(n for n in range(128) if chr(n) in GSM_ALL)
_ASCII_NOT_EXTENSION: Final = bytes(n for n in range(128) if chr(n) not in GSM_EXTENSION)


def is_gsm7(text: str) -> bool:
    """True when every character of ``text`` is in the GSM-7 alphabet."""
    if text.isascii():  # the common case: only a few ASCII characters are not GSM-7
        return not text.encode().translate(None, _ASCII_GSM_BYTES)
    return _NOT_GSM.search(text) is None


@lru_cache(maxsize=8192)
def encode_info(text: str) -> Encoded:
    """The encoding, length and segment count of ``text`` as one SMS."""
    if is_gsm7(text):
        units = len(text) + sum(text.count(ch) for ch in GSM_EXTENSION.intersection(text))
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le", "surrogatepass")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        return Encoded(encoding, units, 1 if units else 0)
    return Encoded(encoding, units, -(-units // multi))


def segments(text: str) -> int:
    """How many SMS segments ``text`` costs."""
    return encode_info(text).segments


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """The GSM-7-friendly form of ``text``: á→a, curly quotes→straight, and so on.

    Never a letter from another language: "Sí" becomes "Si" (GSM-7's "ì" is Italian).
    Sentences where a folded word would change meaning are reworded in the catalog
    (``clearline flows check`` lists the words it watches).
    """
    if text.isascii() or not _FOLDABLE.search(text):
        return text
    return _FOLDABLE.sub(lambda found: _FOLDED[found.group()], text)


def body(text: str, labels: Sequence[str]) -> str:
    """One SMS body: the text, then the choices numbered from 1, one a line."""
    if not labels:
        return text
    lines = "\n".join(f"{n} {label}" for n, label in enumerate(labels, 1))
    return f"{text}\n{lines}"


def cheapest(text: str, labels: Sequence[str]) -> tuple[str, list[str]]:
    """Apply the SMS policy: keep accents unless folding them saves a segment."""
    found_text, found_labels = _cheapest(text, tuple(labels))
    return found_text, list(found_labels)


@lru_cache(maxsize=4096)
def _cheapest(text: str, labels: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The policy itself, cached: folded forms only when they save a segment.

    If even the folded message is not GSM-7 (emoji, other scripts), it goes out as
    UCS-2 unchanged: a person's own words are never dropped.
    """
    if text.isascii() and all(label.isascii() for label in labels):
        return text, labels  # nothing to fold
    full = segments(body(text, labels))
    folded_text, folded_labels = fold(text), tuple(fold(label) for label in labels)
    if segments(body(folded_text, folded_labels)) < full:
        return folded_text, folded_labels
    return text, labels


def fold_turn(replies: list[dict], known: Mapping[str, Size] | None = None) -> list[dict]:
    """Apply the SMS policy to all the replies of one step together.

    The channel may send the replies as separate messages or join them into one body;
    either way a mix of accented (UCS-2) and plain parts must not turn a joined body
    into UCS-2. So all replies of a step are folded when folding saves a segment on any
    one of them or on the joined body; otherwise all keep their accents.

    ``known``: the sizes of texts sized already (the fixed wording, sized once).
    """
    known = known or {}
    texts = [r["text"] for r in replies] + [c["label"] for r in replies for c in r["choices"]]
    if all(not s[2] if (s := known.get(text)) is not None else is_gsm7(text) for text in texts):
        return replies  # already GSM-7 (English, and most Spanish): nothing to save
    items = tuple((r["text"], tuple(c["label"] for c in r["choices"])) for r in replies)
    if not _folding_saves(items, known):
        return replies
    return [
        {"text": fold(r["text"]),
         "choices": [{**c, "label": fold(c["label"])} for c in r["choices"]]}
        for r in replies
    ]


def _folding_saves(items: tuple[tuple[str, tuple[str, ...]], ...],
                   known: Mapping[str, Size]) -> bool:
    """Folding saves a segment on the replies joined by blank lines, or on one of them."""
    def sized(text: str) -> Size:
        found = known.get(text)
        return found if found is not None else size(text)

    bodies = [total([sized(text), lines])
              if (lines := numbered_size([sized(label) for label in choices])) else sized(text)
              for text, choices in items]
    joined = total(bodies, BLANK_LINE)
    return any(count(b[4], b[5], b[3]) < count(b[1], b[2], b[0])  # folded: fewer?
               for b in [joined, *bodies])


class Size(NamedTuple):
    """What a text costs as an SMS, as written and folded. Sizes add up: the size of
    ``a + b`` is ``size(a) + size(b)`` field by field, so a packer can price every way of
    joining parts without building the strings."""

    gsm: int  # GSM-7 septets (extension characters count twice)
    ucs: int  # UTF-16 code units (UCS-2)
    bad: int  # characters GSM-7 cannot carry (0: the text can go as GSM-7)
    fgsm: int  # the same three, folded (á→a...)
    fucs: int
    fbad: int


def _sized(fields: tuple[int, ...]) -> Size:
    """A :class:`Size` of six fields (as ``Size._make``, without its checks: made often)."""
    return tuple.__new__(Size, fields)


def _size(text: str) -> tuple[int, int, int]:
    """GSM-7 septets, UTF-16 code units and characters GSM-7 cannot carry."""
    if text.isascii():
        raw = text.encode()
        extension = len(raw.translate(None, _ASCII_NOT_EXTENSION))
        bad = len(raw.translate(None, _ASCII_GSM_BYTES))
        return len(text) + extension, len(text), bad
    extension = len(_EXTENSION.findall(text)) if _EXTENSION.search(text) else 0
    bad = len(_NOT_GSM.findall(text))
    units = len(text) + len(_ASTRAL.findall(text))
    return len(text) + extension, units, bad


def measure(text: str) -> Size:
    """The :class:`Size` of ``text``, worked out (``size`` remembers it)."""
    full = _size(text)
    found = () if text.isascii() else _FOLDABLE.findall(text)
    if not found:
        return _sized(full + full)  # folding changes nothing
    g, u, b = full  # sizes add up character by character: the folded ones differ by these
    for char in found:
        dg, du, db = _FOLD_DELTA[char]
        g, u, b = g + dg, u + du, b + db
    return _sized((*full, g, u, b))


@lru_cache(maxsize=8192)
def size(text: str) -> Size:
    """The :class:`Size` of ``text``."""
    return measure(text)


def plus(a: Size, b: Size) -> Size:
    """The size of ``a``'s text followed at once by ``b``'s."""
    return _sized((a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4],
                   a[5] + b[5]))


# What folding each character changes in its size (see ``measure``).
_FOLD_DELTA: Final = {char: tuple(a - b for a, b in zip(_size(to), _size(char), strict=True))
               for char, to in _FOLDED.items()}
SEPARATOR: Final = Size(1, 1, 0, 1, 1, 0)  # a space or a line break
BLANK_LINE: Final = Size(2, 2, 0, 2, 2, 0)  # "\n\n" between replies


def total(sizes: Iterable[Size], separator: Size = SEPARATOR) -> Size:
    """The size of the texts joined with ``separator`` (a space or a line break)."""
    found = iter(sizes)
    out = next(found, None)
    if out is None:
        return Size(0, 0, 0, 0, 0, 0)
    for s in found:
        out = _sized((out[0] + separator[0] + s[0], out[1] + separator[1] + s[1],
                      out[2] + separator[2] + s[2], out[3] + separator[3] + s[3],
                      out[4] + separator[4] + s[4], out[5] + separator[5] + s[5]))
    return out if isinstance(out, Size) else Size(*out)


def count(units: int, bad: int, gsm: int) -> int:
    """Segments for ``units`` UCS-2 code units, or ``gsm`` septets when nothing is bad."""
    if not bad:
        return (1 if gsm else 0) if gsm <= 160 else -(-gsm // 153)
    return 1 if units <= 70 else -(-units // 67)


def price(text: str, labels: Sequence[str] = ()) -> int:
    """Segments of ``text`` with its numbered ``labels`` under the SMS policy: what
    ``segments(body(*cheapest(text, labels)))`` counts, from sizes alone."""
    return cost(message_size(text, labels))


def message_size(text: str, labels: Sequence[str] = ()) -> Size:
    """The :class:`Size` of :func:`body`: ``text``, then its numbered ``labels``."""
    lines = labels_size(labels)
    return size(text) if lines is None else plus(size(text), plus(SEPARATOR, lines))


def cost(s: Size) -> int:
    """Segments under the SMS policy: the cheaper of the text as written and folded
    (equal to ``segments(body(*cheapest(text, labels)))`` for the text of size ``s``)."""
    return min(count(s[1], s[2], s[0]), count(s[4], s[5], s[3]))  # by index: compiled, fast


def labels_size(labels: Sequence[str]) -> Size | None:
    """The size of the numbered choice lines of :func:`body`, or None without choices."""
    if not labels:
        return None
    return size("\n".join(f"{n} {label}" for n, label in enumerate(labels, 1)))


def numbered_size(label_sizes: Sequence[Size]) -> Size | None:
    """The size of :func:`body`'s numbered choice lines from the sizes of their labels:
    ``"1 "`` before each (digits and a space, plain GSM-7), a line break between."""
    if not label_sizes:
        return None
    marks = sum(len(str(n)) + 1 for n in range(1, len(label_sizes) + 1))
    return plus(total(label_sizes), Size(marks, marks, 0, marks, marks, 0))


def render(reply: dict) -> str:
    """The SMS body for one reply (text plus numbered choices) under the SMS policy."""
    labels = [c.get("label", "") for c in reply.get("choices") or []]
    text, labels = cheapest(reply.get("text", ""), labels)
    return body(text, labels)
