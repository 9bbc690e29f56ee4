"""The verdict: an assessment from ``rules`` worded as a few short messages.

One template for every outcome and relief (``parts``): what probably happened, one line
on why, someone to call in the county and the state record check, the next step for this
outcome, what else may help, and the caveats that matter. The parts are chosen once for
both languages, then worded in each from the catalogs, so English and Spanish carry the
same phones, forms and warnings. SMS and Telegram text carries no section numbers: WHY
sends the reasons with their citations, and the web shows them in small type.

Parts are packed into messages of at most two SMS segments each. Required warnings
(immigration, "unless...", county and case caveats) are always said; the least
important parts are left out first when space runs short, in every language alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat, takewhile
from typing import Any, Final, NamedTuple

import rules
from rules import counties, sections

from . import catalog, sizes, sms

MAX_SEGMENTS: Final = 2
MUST, SHOULD, MAY = 0, 1, 2
FIRST_RELIEF: Final = ("petition_cr400_disqualifier", "petition_cr400", "destruction_on_request",
                "federal_pardon_2022")
LOCAL_KINDS: Final = ("county_public_defender", "county_district_attorney", "court")
# Outcomes whose headline already says why (the reason is said when affordable; WHY sends it).
SELF_EXPLAINED: Final = ("likely_cleared", "likely_destroyed")
# Outcomes whose verdict ends with someone to call and the state record check.
CONFIRMABLE: Final = ("likely_cleared", "likely_destroyed", "petition", "not_eligible", "unsure")
# Reasons that explain best, said first.
LEAD_REASONS: Final = ("automatic_review", "record_destroyed", "federal_conviction",
                "other_jurisdiction", "after_prop64", "still_serving", "same_crime_today",
                "conduct_before_prop64")
UNSURE_REASONS: Final = ("offense_unknown", "pre_1973_section", "if_cannabis_offense",
                  "date_in_future", "conduct_date_unknown", "concentrate_unknown")
# Other-relief codes worded together as one line when they come together.
EXPUNGEMENT: Final = ("pc_1203_4", "pc_1203_4a", "pc_1203_41", "pc_1203_425")
# Caveats worth their space even when space is short.
KEY_CAVEATS: Final = ("bulk_review_may_not_have_screened", "reduced_still_shows",
               "record_may_still_show", "court_assumed_california", "if_before_nov_2016",
               "serve_district_attorney", "if_same_crime_today")
# Warnings that must always be said (a third message is fine).
REQUIRED_CAVEATS: Final = ("immigration", "immigration_if_noncitizen", "unless_disqualifiers",
                    "court_decides", "county_was_behind",
                    "pending_case_check", "la_found_more_cases", "read_pc_as_hs")
IMMIGRATION: Final = ("immigration", "immigration_if_noncitizen")
IMMIGRATION_IDS: Final = tuple(f"caveat:{code}" for code in IMMIGRATION)
# A caveat left out when another says the same thing more precisely.
SAID_BY: Final = {"state_list_may_have_missed": "la_found_more_cases"}
# Parts a next step already says, in plain words (dismissal after probation, Clean Slate).
SAID_BY_NEXT: dict[str, tuple[str, ...]] = {
    key: ("caveat:reduced_still_shows", "relief:pc_1203_4", "relief:pc_1203_425",
          "relief:expungement")
    for key in ("v.next.likely_cleared.reduced", "v.next.likely_cleared.dismissed_or_reduced")
}
SAID_BY_NEXT["v.next.petition"] = ("relief:petition_cr400",)  # the next step is CR-400
SOFT_SEGMENTS: Final = 5  # a verdict (with the question after it) grows past this only for musts


def _t(lang: str, key: str, **params: Any) -> str:
    return catalog.text(lang, key, **params)


_SCHEME: Final = re.compile(r"^https?://")
_WWW: Final = re.compile(r"^www\.")


def short_url(url: str) -> str:
    """A web address as people type it: no scheme, no ``www.``, no trailing slash."""
    url = _SCHEME.sub("", url.strip())
    url = _WWW.sub("", url)
    return url.rstrip("/")


class Part(NamedTuple):
    """One piece of a verdict: a message key, its parameters, and its rank."""

    id: str
    key: str
    rank: int
    params: tuple[tuple[str, str], ...] = ()
    prefix: str = ""  # a key said just before, in the same sentence run ("To be sure:")

    def text(self, lang: str) -> str:
        """The part worded in ``lang``."""
        words = _t(lang, self.key, **dict(self.params))
        return f"{_t(lang, self.prefix)} {words}" if self.prefix else words

    def size(self, lang: str) -> sms.Size:
        """The SMS size of :meth:`text`, from the catalog's sizes (no wording made)."""
        words = sizes.size(lang, self.key, dict(self.params))
        if not self.prefix:
            return words
        return sms.total([sizes.size(lang, self.prefix), words])


def _part(part_id: str, key: str, rank: int, params: tuple[tuple[str, str], ...] = (),
          prefix: str = "") -> Part:
    """``Part(...)``, made as a plain tuple is (a named tuple's own constructor runs
    uncompiled: see setup.py)."""
    return tuple.__new__(Part, (part_id, key, rank, params, prefix))


def headline_key(assessment: dict[str, Any]) -> str:
    """The most specific headline the catalog has for this outcome."""
    outcome, relief = assessment.get("outcome", "unsure"), assessment.get("relief", "unknown")
    reasons = [r.get("code", "") for r in assessment.get("reasons") or []]
    candidates = [f"v.head.{outcome}.{code}" for code in reasons]
    candidates += [f"v.head.{outcome}.{relief}", f"v.head.{outcome}"]
    for key in candidates:
        if catalog.has("en", key):
            return key
    return "v.head.unsure"


def lead_reasons(assessment: dict[str, Any]) -> list[dict[str, str]]:
    """The reasons, the ones that explain best first."""
    reasons = list(assessment.get("reasons") or [])
    outcome = assessment.get("outcome")
    lead: tuple[str, ...] = UNSURE_REASONS if outcome == "unsure" else LEAD_REASONS
    if outcome == "not_eligible":  # what keeps it a felony explains best
        lead = tuple(r.get("code") for r in reasons if r.get("code", "").startswith("disqual"))
    reasons.sort(key=lambda r: r.get("code") not in lead)
    return reasons


LONGEST_URL: Final = 64  # a longer page is named by its site alone in the text: no one types it


def _contact(step: dict[str, Any]) -> str:
    """The phone, else the page as people type it (its site alone when the page is long;
    the web card links the whole page)."""
    if step.get("phone"):
        return step["phone"]
    url = short_url(step.get("url", ""))
    return url if len(url) <= LONGEST_URL else url.split("/", 1)[0]


def confirm_line(lang: str, step: dict[str, Any], county: str | None) -> str:
    """One way to confirm, with the office's phone or web site."""
    return step_part("x", step, county, MUST).text(lang)


def step_part(part_id: str, step: dict[str, Any], county: str | None, rank: int) -> Part:
    """A confirm step as a part: "Call ...: phone" when it has a phone, else "Ask ...: site"."""
    kind = step.get("kind", "")
    contact = _contact(step)
    if step.get("phone") and kind in LOCAL_KINDS:
        key = f"v.call.{kind}" + (".cannabis" if step.get("line") == "cannabis" else "")
        return _part(part_id, key, rank, (("county", county or ""), ("phone", contact)))
    key = f"v.confirm.{kind}"
    if kind in LOCAL_KINDS and not county:
        key += ".nocounty"
    where = (("where", f": {contact}"),) if contact else ()
    return _part(part_id, key, rank, (("county", county or ""), *where))


def relief_parts(assessment: dict[str, Any]) -> list[Part]:
    """Other ways forward; the expungement codes become one line."""
    codes = [o.get("code", "") for o in assessment.get("other_relief") or []]
    codes.sort(key=lambda code: code not in FIRST_RELIEF)
    steps = assessment.get("confirm") or []
    pardon: dict[str, Any] = next((s for s in steps if s.get("kind") == "pardon_attorney"), {})
    out: list[Part] = []
    for code in codes:
        if code in EXPUNGEMENT:
            if not any(p.id == "relief:expungement" for p in out):
                out.append(_part("relief:expungement", "v.relief.expungement", SHOULD))
            continue
        params = (("where", short_url(pardon["url"])),) \
            if code == "federal_pardon_2022" and pardon.get("url") else ()
        out.append(_part(f"relief:{code}", f"v.relief.{code}", SHOULD, params))
    if out and out[0].id.removeprefix("relief:") in FIRST_RELIEF:  # what to do if not done
        out[0] = _part(out[0].id, out[0].key, MUST, out[0].params)
    return out


def _next_key(assessment: dict[str, Any]) -> str | None:
    outcome, relief = assessment.get("outcome"), assessment.get("relief")
    reasons = [f"v.next.{outcome}.{r.get('code')}" for r in assessment.get("reasons") or []]
    for key in (*reasons, f"v.next.{outcome}.{relief}", f"v.next.{outcome}"):
        if catalog.has("en", key):
            return key
    return None


def _contact_steps(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps to name, in order: for a petition, the court (with its phone) first."""
    steps = [s for s in assessment.get("confirm") or []
             if s.get("kind") not in {"immigration_legal_help", "pardon_attorney"}]
    if assessment.get("outcome") == "petition":
        steps.sort(key=lambda s: not (s.get("kind") == "court" and s.get("phone")))
    return steps


def contact_parts(assessment: dict[str, Any], county: str | None) -> list[Part]:
    """Someone to call in the county (or who to ask), then the state record check."""
    steps = _contact_steps(assessment)
    if not steps:
        return []
    outcome = assessment.get("outcome")
    first = steps[0]
    if first.get("kind") == "legal_aid":  # legal help alone needs no intro
        return [step_part("contact:legal_aid", first, county, SHOULD)]
    intro = f"v.confirm.intro.{outcome}"
    intro = intro if catalog.has("en", intro) else "v.confirm.intro"
    lead = step_part(f"contact:{first['kind']}", first, county, MUST)
    out = [_part(lead.id, lead.key, MUST, lead.params, prefix=intro)]
    rest = [s for s in steps[1:] if s.get("kind") in LOCAL_KINDS and _contact(s)]
    with_phone = [s for s in rest if s.get("phone")]
    if with_phone and not first.get("phone"):  # always someone to call when we know one
        out.append(step_part(f"contact:{with_phone[0]['kind']}", with_phone[0], county, MUST))
    elif rest and not _contact(first):
        out.append(step_part(f"contact:{rest[0]['kind']}", rest[0], county, MUST))
    elif with_phone:
        out.append(step_part(f"contact:{with_phone[0]['kind']}", with_phone[0], county, MAY))
    doj = next((s for s in steps if s.get("kind") == "doj_record_review"), None)
    if doj is not None:
        out.append(step_part("doj", doj, county, MUST))
    return out


def _legal_aid(assessment: dict[str, Any], county: str | None) -> list[Part]:
    """Free legal help: always said after a not-eligible verdict, else when affordable."""
    aid = next((s for s in assessment.get("confirm") or [] if s.get("kind") == "legal_aid"), None)
    rank = MUST if assessment.get("outcome") == "not_eligible" else SHOULD
    return [step_part("contact:legal_aid", aid, county, rank)] if aid is not None else []


def _immigration_params(assessment: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    steps = assessment.get("confirm") or []
    help_step = next((s for s in steps if s.get("kind") == "immigration_legal_help"), None)
    return (("help", short_url(help_step["url"])),) if help_step else ()


def caveat_parts(assessment: dict[str, Any], skip: Sequence[str] = ()) -> list[Part]:
    """The caveats: required warnings first, then key ones, then the rest."""
    caveats = [c for c in assessment.get("caveats") or [] if c not in skip]
    caveats = [c for c in caveats if SAID_BY.get(c) not in caveats]
    out: list[Part] = []
    for code in caveats:
        rank = MUST if code in REQUIRED_CAVEATS else SHOULD if code in KEY_CAVEATS else MAY
        params = _immigration_params(assessment) if code in IMMIGRATION else ()
        out.append(_part(f"caveat:{code}", f"v.caveat.{code}", rank, params))
    return sorted(out, key=lambda p: p.rank)


def parts(assessment: dict[str, Any], county: str | None, *,
          skip: Sequence[str] = ()) -> list[Part]:
    """Every part of the verdict in order, with its rank (``MUST``, ``SHOULD``, ``MAY``).

    The same template for every outcome: headline, why, someone to call and the state
    record check (for outcomes to confirm), the next step, other relief, caveats. Caveat
    codes in ``skip`` are left out.
    """
    head = headline_key(assessment)
    out = [_part("head", head, MUST)]
    outcome = assessment.get("outcome")
    first = SHOULD if outcome in SELF_EXPLAINED else MUST  # WHY gives the reasons anyway
    reasons = [r for r in lead_reasons(assessment)  # a headline of its own says this why
               if head != f"v.head.{outcome}.{r.get('code')}"]
    for n, reason in enumerate(reasons[:2]):
        out.append(_part(f"why:{reason.get('code')}", f"v.why.{reason.get('code')}",
                        first if n == 0 else MAY))
    local = outcome in CONFIRMABLE or any(
        s.get("kind") in LOCAL_KINDS for s in assessment.get("confirm") or [])
    contacts = contact_parts(assessment, county) if local else []
    nxt = _next_key(assessment)
    said = SAID_BY_NEXT.get(nxt or "", ())
    if nxt == "v.next.petition":  # it names the court's page: no second "ask the court"
        contacts = contacts[:1] + [p for p in contacts[1:]
                                   if not p.key.startswith("v.confirm.court")]
    relief = [p for p in relief_parts(assessment) if p.id not in said]
    caveats = [p for p in caveat_parts(assessment, skip) if p.id not in said]
    if outcome == "petition" and nxt:  # the CR-400 path first, then the court's phone
        out.append(_part("next", nxt, MUST))
        nxt = None
    out += [p for p in caveats if p.id in IMMIGRATION_IDS]  # said early: it may change all
    caveats = [p for p in caveats if p.id not in IMMIGRATION_IDS]
    out += contacts
    if nxt:
        out.append(_part("next", nxt, MUST))
    out += relief[:1]
    if outcome == "not_eligible" or not local:  # legal aid: the other way forward
        out += _legal_aid(assessment, county)
    out += [p for p in caveats if p.rank == MUST]
    out += [p for p in caveats if p.rank == SHOULD]
    out += relief[1:]
    out += [p for p in caveats if p.rank == MAY]
    return out


# --- choosing the parts once for every language, then packing them --------------------


def _fits(text: str, labels: list[str] | None = None) -> bool:
    return sms.price(text, labels or []) <= MAX_SEGMENTS


_NOTHING: Final = sms.Size(0, 0, 0, 0, 0, 0)


_MOST_SEPTETS: Final = 153 * MAX_SEGMENTS  # what a message of MAX_SEGMENTS (two or more) carries


def _fits_in_two(segments: int) -> bool:
    return segments <= MAX_SEGMENTS


def _low(size: sms.Size) -> int:
    """The fewest septets ``size``'s text can take, as written or folded."""
    return min(size[0], size[3])


def _plain(size: sms.Size) -> bool:
    """Goes as GSM-7 once folded, in no more septets than twice its UCS-2 units: then
    every span of such texts costs what its folded septets cost (folding changes nothing
    in GSM-7 text, and 2u septets never take more segments than u UCS-2 units)."""
    return not size[5] and size[3] <= 2 * size[1]


class _Texts(NamedTuple):
    """The texts of a verdict in one language, sized, with what each tells a packing."""

    sizes: list[sms.Size]
    tail: sms.Size
    lows: list[int]
    plains: list[bool]

    @classmethod
    def of(cls, sizes: list[sms.Size], tail: sms.Size) -> _Texts:
        return cls(sizes, tail, [_low(s) for s in sizes], [_plain(s) for s in sizes])

    def packing(self, keep: list[bool]) -> _Packing:
        """The packing of the texts kept."""
        sizes: list[sms.Size] = []
        low, plain = 0, _plain(self.tail)
        for size, this_low, this_plain, kept in zip(self.sizes, self.lows, self.plains, keep,
                                                    strict=True):
            if kept:
                sizes.append(size)
                low += this_low
                plain = plain and this_plain
        return _Packing(sizes, self.tail, (low, plain))


def _running(sizes: Sequence[sms.Size], field: int) -> list[int]:
    """The running sums of one field of ``sizes``, from 0."""
    out, total = [0], 0
    for size in sizes:
        total += size[field]
        out.append(total)
    return out


class _Packing:
    """Texts packed into as few SMS segments as can be: each message at most two segments,
    the last one ending with the question (and its choices) when it fits.

    Priced on :class:`sms.Size` sums alone (``sizes`` of the texts, ``tail`` of the
    question with its choices, never empty), so no candidate message is built.
    ``cheapest`` finds the best packing; ``first_fit`` and ``at_least`` bound its cost.
    """

    def __init__(self, sizes: Sequence[sms.Size], tail: sms.Size,
                 known: tuple[int, bool] | None = None) -> None:
        # ``known``: ``low`` and ``plain`` when worked out already (``_Texts.packing``).
        self.low, self.plain = known or (sum(_low(s) for s in sizes),
                                         _plain(tail) and all(map(_plain, sizes)))
        # Running sums of each Size field: sums[f][i] is field f of texts[:i] (plain: only
        # the folded septets, which say it all).
        self.sums = [_running(sizes, field) for field in ((3,) if self.plain else range(6))]
        self.tail = tail
        self.n = len(sizes)

    def _plain_cost(self, j: int, i: int, extra: sms.Size | None = None) -> int:
        """``_cost`` when every text is plain (``_plain``): from the folded septets."""
        septets = self.sums[0]
        g = septets[i] - septets[j] + (i - j - 1 if extra is None else i - j + extra[3])
        return (1 if g else 0) if g <= 160 else -(-g // 153)

    def _cost(self, j: int, i: int, extra: sms.Size | None = None) -> int:
        """Segments for ``" ".join(texts[j:i])``, then a space and ``extra`` when given."""
        if self.plain:
            return self._plain_cost(j, i, extra)
        if extra is None:
            gaps, extra = i - j - 1, _NOTHING
        else:
            gaps = i - j  # the gaps between the texts, and the space before the extra
        sums = self.sums
        g = sums[0][i] - sums[0][j] + extra[0] + gaps
        b = sums[2][i] - sums[2][j] + extra[2]
        if not b:  # GSM-7 as written: folding changes nothing (no letter it folds is GSM-7)
            return (1 if g else 0) if g <= 160 else -(-g // 153)
        u = sums[1][i] - sums[1][j] + extra[1] + gaps
        fg = sums[3][i] - sums[3][j] + extra[3] + gaps
        fu = sums[4][i] - sums[4][j] + extra[4] + gaps
        fb = sums[5][i] - sums[5][j] + extra[5]
        return min(sms.count(u, b, g), sms.count(fu, fb, fg))

    def cheapest(self) -> tuple[int, list[tuple[int, int]], int | None]:
        """The fewest segments; the messages before the last as (start, end) spans of the
        texts; and where the last message (texts then the question) starts, or None when
        the question goes alone after a text too long to share a message (rare)."""
        cost, n = self._cost, self.n
        best, came = self._fill()
        options = []
        for j in range(n, -1, -1):  # the last message: texts[j:] and the question
            segments = cost(j, n, self.tail)
            if segments > MAX_SEGMENTS:
                break
            before = best[j]
            if before is not None:
                options.append((before + segments, j))
        if options:
            total, last = min(options)
            return total, self._path(came, last), last
        # Nothing fits with the question: a text past two segments alone (rare), each
        # message on its own, then the question.
        spans = [(i, i + 1) for i in range(n)] if best[n] is None else self._path(came, n)
        total = sum(cost(j, i) for j, i in spans) + cost(n, n, self.tail)
        return total, spans, None

    def _fill(self) -> tuple[list[int | None], list[int]]:
        """The fewest segments for each ``texts[:i]`` (None: no packing fits) and where the
        last message of that packing starts."""
        n = self.n
        best: list[int | None] = [0] + [None] * n  # segments for texts[:i]
        came: list[int] = [0] * (n + 1)
        for i in range(1, n + 1):
            for back, segments in enumerate(self._ending_at(i)):
                j = i - 1 - back
                before, now = best[j], best[i]
                if before is not None and (now is None or before + segments <= now):
                    best[i], came[i] = before + segments, j  # ties: the earliest split
        return best, came

    def _ending_at(self, i: int) -> list[int]:
        """The segments of ``texts[j:i]`` for j = i - 1, i - 2, ... while within two
        segments (longer spans cost more: the first misfit ends it)."""
        if not self.plain:
            return list(takewhile(_fits_in_two, map(self._cost, range(i - 1, -1, -1),
                                                    repeat(i))))
        # Plain texts: the folded septets of each span, priced here (as ``_plain_cost``)
        septets = self.sums[0]
        end = septets[i] + i - 1
        out: list[int] = []
        for j in range(i - 1, -1, -1):
            g = end - septets[j] - j
            if g > _MOST_SEPTETS:
                break
            out.append((1 if g else 0) if g <= 160 else -(-g // 153))
        return out

    def first_fit(self) -> int | None:
        """The segments of one packing that fits (each text joins the message before it
        when that message stays within two segments), or None: an upper bound on the
        cheapest packing, in a few steps."""
        total, start, cost = 0, 0, 0
        for i in range(1, self.n + 1):
            joined = self._cost(start, i)
            if joined <= MAX_SEGMENTS:
                cost = joined
                continue
            total, start, cost = total + cost, i - 1, self._cost(i - 1, i)
            if cost > MAX_SEGMENTS:
                return None
        with_ask = self._cost(start, self.n, self.tail) if self.n else MAX_SEGMENTS + 1
        if with_ask <= MAX_SEGMENTS:
            return total + with_ask
        alone = self._cost(self.n, self.n, self.tail)
        return total + cost + alone if alone <= MAX_SEGMENTS else None

    def at_least(self) -> int:
        """A lower bound on any packing: a segment carries at most 160 characters."""
        return -(-(self.low + min(self.tail[0], self.tail[3])) // 160)

    @staticmethod
    def _path(came: list[int], i: int) -> list[tuple[int, int]]:
        spans = []
        while i:
            spans.append((came[i], i))
            i = came[i]
        return spans[::-1]



def _tail(ask: sms.Size, labels: Sequence[sms.Size]) -> sms.Size:
    """The size of the question, then its numbered choices on their own lines."""
    return sms.total([ask, *filter(None, [sms.numbered_size(labels)])])


def _pack(texts: list[str], ask: str, labels: list[str],
          sized: tuple[list[sms.Size], sms.Size] | None = None) -> list[str]:
    """The texts, in order, in as few SMS segments as can be: each message at most two
    segments, the last one ending with ``ask`` (and its choices) when it fits.
    ``sized``: the texts' sizes and the question's (``_tail``), when known."""
    if sized is None:
        sized = [sms.size(t) for t in texts], _tail(sms.size(ask), [sms.size(x) for x in labels])
    _, spans, last = _Packing(*sized).cheapest()
    out = [" ".join(texts[j:i]) for j, i in spans]
    if last is None:
        return [m for m in [*out, ask] if m]
    rest = f"{' '.join(texts[last:])} {ask}".strip()
    return [m for m in [*out, rest] if m]


@dataclass(frozen=True)
class Ask:
    """The question after the verdict, in every language."""

    by_lang: tuple[tuple[str, str, tuple[str, ...]], ...]
    tails: tuple[sms.Size, ...] = ()  # each language's question with its choices, sized

    @classmethod
    def make(cls, ask: str | None, labels: Sequence[str] | None, ask_key: str | None,
             label_keys: Sequence[str] | None) -> Ask:
        rows, tails = [], []
        for lang in catalog.LANGS:
            text = _t(lang, ask_key) if ask_key else ask or ""
            words = [_t(lang, k) for k in label_keys] if label_keys is not None else labels
            rows.append((lang, text, tuple(words or ())))
            asked = sizes.size(lang, ask_key) if ask_key else sms.size(text)
            shown = [sizes.size(lang, k) for k in label_keys] if label_keys is not None \
                else [sms.size(w) for w in words or ()]
            tails.append(_tail(asked, shown))
        return cls(tuple(rows), tuple(tails))

    def tail(self, lang: str) -> sms.Size:
        """The size of the question in ``lang``, with its choices."""
        return self.tails[[row[0] for row in self.by_lang].index(lang)]


def select(items: list[Part], ask: Ask, room: int = SOFT_SEGMENTS) -> list[str]:
    """The ids of the parts to say: every must, then each other part (best rank first)
    if it is affordable in every language, so both languages say the same things.

    Affordable: the verdict's segments stay within what it already costs, or within
    ``soft`` (``SOFT_SEGMENTS``, or the ``room`` left in the check when that is less).
    Costs are compared clamped up to ``soft`` (the same test), so a quick packing within
    that proves a part affordable without the exact packing (adding a part never makes
    the cheapest packing cheaper).
    """
    soft = max(1, min(SOFT_SEGMENTS, room))
    priced = [_Texts.of([p.size(lang) for p in items], ask.tail(lang))
              for lang, _, _ in ask.by_lang]

    def clamped(keep: list[bool], ceilings: list[int] | None) -> list[int] | None:
        """Each language's cost clamped up to ``soft``; None when one passes its ceiling."""
        out = []
        for n, texts in enumerate(priced):
            packing = texts.packing(keep)
            ceiling = ceilings[n] if ceilings else None
            if ceiling is not None and packing.at_least() > ceiling:
                return None
            quick = packing.first_fit()
            floor = soft if ceiling is None else ceiling
            if quick is not None and quick <= floor:
                # The cheapest packing costs at most ``quick`` and, with one part more,
                # at least what it cost before: clamped, exactly ``floor``.
                out.append(max(floor, soft))
                continue
            cost = max(packing.cheapest()[0], soft)
            if ceiling is not None and cost > ceiling:
                return None
            out.append(cost)
        return out

    keep = [p.rank == MUST for p in items]
    costs = clamped(keep, None) or []
    for rank in (SHOULD, MAY):
        for i, part in enumerate(items):
            if part.rank != rank:
                continue
            keep[i] = True
            trial = clamped(keep, costs)
            if trial is None:
                keep[i] = False
            else:
                costs = trial
    return [p.id for p, k in zip(items, keep, strict=True) if k]


class _Memo(dict[tuple, list[str]]):
    """A bounded memo of ``select`` results (the wording is fixed at import); like an
    ``lru_cache`` it has ``cache_clear``, so a cold benchmark clears it too."""

    def cache_clear(self) -> None:
        self.clear()


_CHOSEN: Final = _Memo()


def chosen_parts(assessment: dict[str, Any], county: str | None, ask: Ask,
                 skip: Sequence[str] = (), room: int = SOFT_SEGMENTS) -> list[Part]:
    """The parts said for this verdict (the same in every language)."""
    items = parts(assessment, county, skip=skip)
    room = min(room, SOFT_SEGMENTS)
    key = (tuple(items), ask.by_lang, room)  # the parts, their wording and room decide
    ids = _CHOSEN.get(key)
    if ids is None:
        ids = select(items, ask, room)
        if len(_CHOSEN) >= 2048:
            _CHOSEN.clear()
        _CHOSEN[key] = ids
    return [p for p in items if p.id in ids]


def required_segments(lang: str, assessment: dict[str, Any], county: str | None,
                      ask: str, labels: Sequence[str]) -> int:
    """SMS segments of the verdict's required parts alone, with the question after it
    (what it costs at the least, whatever room is left)."""
    texts = [p.text(lang) for p in parts(assessment, county) if p.rank == MUST]
    messages = _pack(texts, ask, list(labels))
    replies: list[dict[str, Any]] = [{"text": m, "choices": []} for m in messages]
    replies[-1]["choices"] = [{"id": str(n), "label": label} for n, label in enumerate(labels)]
    return sum(sms.segments(sms.render(r)) for r in sms.fold_turn(replies))


def compose(lang: str, assessment: dict[str, Any], county: str | None, *,
            ask: str | None = None, labels: Sequence[str] | None = None,
            ask_key: str | None = None, label_keys: Sequence[str] | None = None,
            skip: tuple[str, ...] = (), room: int = SOFT_SEGMENTS,
            question: Ask | None = None) -> list[str]:
    """The verdict messages in ``lang``; the last one ends with the question after it.

    The question is ``ask_key`` with choices ``label_keys`` (catalog keys), or the literal
    ``ask`` and ``labels``. Every ``MUST`` part is said, in messages of at most two SMS
    segments. Other parts are added, in order of rank, only while they cost no extra
    segment or the whole stays within ``SOFT_SEGMENTS`` and the ``room`` (SMS segments)
    the check has left, in every language. ``question``: that question, made already.
    """
    question = question or Ask.make(ask, labels, ask_key, label_keys)
    chosen = chosen_parts(assessment, county, question, skip, room)
    _, ask_text, words = next(r for r in question.by_lang if r[0] == lang)
    return _pack([p.text(lang) for p in chosen], ask_text, list(words),
                 ([p.size(lang) for p in chosen], question.tail(lang)))


def why(lang: str, assessment: dict[str, Any], limit: int = 2) -> str:
    """The main reasons with their citations, for the web card's details (never SMS)."""
    shown = lead_reasons(assessment)[:limit]
    words = " ".join(_t(lang, f"v.why.{r.get('code')}") for r in shown)
    cites = list(dict.fromkeys(str(r.get("citation")) for r in shown if r.get("citation")))
    return f"{words} ({', '.join(cites)})" if words and cites else words


def relief_lines(lang: str, assessment: dict[str, Any]) -> list[str]:
    """The next step and the other ways forward, worded (the web card's steps)."""
    nxt = _next_key(assessment)
    said = SAID_BY_NEXT.get(nxt or "", ())
    lines = [_t(lang, nxt)] if nxt else []
    return lines + [p.text(lang) for p in relief_parts(assessment) if p.id not in said]


def said_citations(assessment: dict[str, Any]) -> list[str]:
    """What this answer rests on: the citations of its reasons, then of the relief offered."""
    found = [r.get("citation") for r in lead_reasons(assessment)]
    found += [o.get("citation") for o in assessment.get("other_relief") or []]
    return list(dict.fromkeys(c for c in found if c))


def citations_line(lang: str, assessment: dict[str, Any], today: str) -> str:
    """The small print under a web verdict: the date checked and the law it rests on."""
    cites = ", ".join(said_citations(assessment))
    return _t(lang, "v.cite", date=today, cites=cites) if cites else _t(lang, "v.checked",
                                                                           date=today)


# --- the end-of-session summary, WHY and MY RESULT --------------------------------------


def summary_entry(facts: dict[str, Any], assessment: dict[str, Any]) -> dict[str, Any]:
    """What the summary keeps of one checked conviction (a few short fields).

    ``w`` keeps up to three reasons with their citations, for WHY after moving on.
    """
    offense = sections.normalize_offense(facts.get("offense") or "")
    return {
        "o": assessment.get("outcome"),
        "r": assessment.get("relief"),
        "k": offense.kind if offense else None,
        "c": counties.normalize_county(facts.get("county") or ""),
        "y": str(facts.get("conviction_date") or "")[:4] or None,
        "w": [[r.get("code"), r.get("citation") or ""] for r in lead_reasons(assessment)[:3]],
    }


def result_key(entry: dict[str, Any]) -> str:
    """The catalog key of one summary line's result."""
    for key in (f"s.{entry.get('o')}.{entry.get('r')}", f"s.{entry.get('o')}"):
        if catalog.has("en", key):
            return key
    return "s.unsure"


def summary_line(lang: str, entry: dict[str, Any]) -> str:
    """One checked conviction: kind, county, year, result."""
    kind = entry.get("k")
    known = isinstance(kind, str) and catalog.has("en", f"c.{kind}")
    key = f"s.k.{kind}" if known and catalog.has("en", f"s.k.{kind}") else f"c.{kind}"
    bits = [_t(lang, key) if known else _t(lang, "s.case")]
    county = entry.get("c")
    if isinstance(county, str) and county in counties.COUNTIES:
        bits.append(county)
    year = entry.get("y")
    if isinstance(year, str) and year.isdigit() and len(year) == 4:
        bits.append(year)
    return f"{', '.join(bits)}: {_t(lang, result_key(entry))}"


def _messages(lines: list[str], sep: str = " ") -> list[str]:
    """Lines packed into messages of at most two SMS segments."""
    messages: list[str] = []
    for line in lines:
        joined = f"{messages[-1]}{sep}{line}" if messages else line
        if messages and _fits(joined):
            messages[-1] = joined
        else:
            messages.append(line)
    return messages


def summary(lang: str, done: list[dict[str, Any]]) -> list[str]:
    """All the convictions checked in this conversation, one short line each."""
    lines = [f"{n}. {summary_line(lang, entry)}" for n, entry in enumerate(done, 1)]
    return _messages([_t(lang, "s.header"), *lines], "\n")


def why_messages(lang: str, entry: dict[str, Any]) -> list[str]:
    """WHY / POR QUÉ: the reasons of the last result, each with its citation."""
    lines = [_t(lang, "why.header")]
    for code, citation in entry.get("w") or []:
        if not isinstance(code, str) or not catalog.has("en", f"v.why.{code}"):
            continue
        words = _t(lang, f"v.why.{code}")
        lines.append(f"{words.rstrip('.')} ({citation})." if citation else words)
    if len(lines) == 1:
        lines.append(_t(lang, "why.none"))
    return _messages(lines)


def result_messages(lang: str, entry: dict[str, Any]) -> list[str]:
    """MY RESULT / MI RESULTADO: the last result's summary, its county phone and the
    state record check again."""
    county = entry.get("c") if entry.get("c") in counties.COUNTIES else None
    outcome = str(entry.get("o") or "unsure")
    lines = [_t(lang, "result.header", result=summary_line(lang, entry))]
    steps = rules.confirm.confirm_steps(county, outcome)
    assessment = {"outcome": outcome, "confirm": steps}
    local = outcome in CONFIRMABLE
    for part in contact_parts(assessment, county) if local else []:
        if part.rank == MUST:
            lines.append(_t(lang, part.key, **dict(part.params)))
    if not local:
        lines += [step_part("aid", s, county, MUST).text(lang) for s in steps
                  if s.get("kind") == "legal_aid"]
    return _messages(lines)
