"""Impact stats for editors and outreach leads: ``/admin``, behind ``ADMIN_TOKEN``.

No token set: the pages do not exist (404). Otherwise a person signs in once with the
token (compared in constant time with :func:`hmac.compare_digest`); sign-in makes a random
session id, kept in Redis (``clearline:{admin}:s:<hash of the id>``, with a TTL) and in
the signed cookie; signing out deletes it, and changing the token ends every session.
Scripts may send ``Authorization: Bearer <token>`` instead. Wrong tokens are counted per
real client address (through ``PROXY_HOPS``), in a sliding window: after
``MAX_FAILURES`` that address must wait; after ``MAX_FAILURES_ALL`` from all addresses
together (a spread-out guess), sign-in waits for everyone. A correct token is never
counted as a failure, and a signed-in session is never locked out. Only aggregate
counters are shown (``bot.stats``); the CSV export shows counts under 5 as "<5".
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import time
from functools import wraps
from typing import Any

import redis
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import generate_csrf

from bot import stats
from bot.shared import check_csrf, config, page_lang, secure, store
from bot.wording import ui_strings
from dialogs.flow import MAIN

bp = Blueprint("admin", __name__, template_folder="templates")
bp.after_request(secure)

TOP = 15  # rows per chart; the tables below each chart list every row
MAX_FAILURES = 10  # wrong tokens from one address in the window before it must wait
MAX_FAILURES_ALL = 200  # wrong tokens from every address together before sign-in waits
FAILURE_WINDOW = 15 * 60  # seconds (a sliding window)
SESSION_TTL = 12 * 3600  # a sign-in lasts this long
_FAIL = "clearline:{admin}"


def _token() -> str:
    return config("ADMIN_TOKEN")


def _keyed(text: str) -> str:
    secret = str(current_app.secret_key or "").encode("utf-8")
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def token_matches(given: str | None) -> bool:
    """Constant-time check of ``given`` against ``ADMIN_TOKEN``."""
    token = _token()
    if not token or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def _failure_keys(now: float) -> list[tuple[str, str, int]]:
    """(this window's key, the last window's key, limit) for this address and for all.
    The address is the real client's (``PROXY_HOPS``), stored only as a keyed hash."""
    window = int(now // FAILURE_WINDOW)
    who = _keyed("admin-address:" + (request.remote_addr or "-"))[:16]
    return [(f"{_FAIL}:fail:{who}:{window}", f"{_FAIL}:fail:{who}:{window - 1}", MAX_FAILURES),
            (f"{_FAIL}:failall:{window}", f"{_FAIL}:failall:{window - 1}", MAX_FAILURES_ALL)]


def locked_out() -> bool:
    """True while this address (or every address together) has had too many wrong tokens
    in the sliding window: the last window's count, weighted by the part of it still
    inside the window, plus this one's."""
    now = time.time()
    weight = 1 - (now % FAILURE_WINDOW) / FAILURE_WINDOW
    keys = _failure_keys(now)
    try:
        counts = store().redis.mget([k for current, last, _ in keys for k in (current, last)])
    except redis.RedisError:
        return False
    for i, (_, _, limit) in enumerate(keys):
        current, last = (int(counts[2 * i] or 0), int(counts[2 * i + 1] or 0))
        if current + weight * last >= limit:
            return True
    return False


def count_failure() -> None:
    """Count one wrong token from this address (and among all), each key with a TTL."""
    try:
        pipe = store().redis.pipeline(transaction=False)
        for current, _, _ in _failure_keys(time.time()):
            pipe.incr(current)
            pipe.expire(current, 2 * FAILURE_WINDOW)
        pipe.execute()
    except redis.RedisError:
        pass


def _session_key(sid: str) -> str:
    return f"{_FAIL}:s:{hashlib.sha256(sid.encode('utf-8')).hexdigest()[:32]}"


def start_session() -> None:
    """A random server-side session for this browser (its id in the signed cookie)."""
    sid = secrets.token_urlsafe(32)
    store().redis.set(_session_key(sid), _keyed("admin-token:" + _token()), ex=SESSION_TTL)
    session["admin"] = sid


def end_session() -> None:
    """Sign out: the server-side session is deleted, so the cookie no longer works."""
    sid = session.pop("admin", None)
    if isinstance(sid, str):
        with contextlib.suppress(redis.RedisError):
            store().redis.delete(_session_key(sid))


def session_ok() -> bool:
    """True for a browser signed in (with the current token), whatever the lockout."""
    sid = session.get("admin")
    token = _token()
    if not isinstance(sid, str) or not token:
        return False
    try:
        held = store().redis.get(_session_key(sid))
    except redis.RedisError:
        return False
    return held is not None and hmac.compare_digest(
        held.decode("utf-8", "replace"), _keyed("admin-token:" + token))


def signed_in() -> bool:
    """True for a signed-in session, or a bearer token (checked unless locked out; only a
    wrong one counts as a failure)."""
    if session_ok():
        return True
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        return False
    if locked_out():
        return False
    if token_matches(auth[7:].strip()):
        return True
    count_failure()
    return False


def enabled(view: Any) -> Any:
    """404 for every admin page while ``ADMIN_TOKEN`` is not set."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _token():
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def _page(template: str, **context: Any) -> str:
    """An admin page in the page language (``?lang=``, the cookie, the browser's choice)."""
    lang = page_lang()
    return render_template(template, lang=lang, t=ui_strings()[lang], csrf_token=generate_csrf(),
                           switch_url=url_for(request.endpoint or "admin.dashboard",
                                              lang=ui_strings()[lang]["switch_lang"]),
                           **context)


def _words(key: str) -> str:
    """One piece of page wording (``ui.<key>``) in the page language."""
    return ui_strings()[page_lang()][key]


def _login_page(error: str | None = None, status: int = 401) -> tuple[str, int]:
    """The sign-in form; ``error``: the page wording key of what went wrong."""
    return _page("admin_login.html", error=_words(error) if error else None), status


@bp.get("/admin")
@enabled
def dashboard() -> Any:
    """The charts, or the sign-in form (401) without the token."""
    if not signed_in():
        return _login_page()
    try:
        data = stats.read(store().redis, weeks=period(), ttl_days=stats_days())
    except redis.RedisError:
        return _unavailable()
    return _page("admin.html", s=data, charts=charts(data, page_lang()), top=TOP,
                 periods={key: _words(f"period.{key}") for key in PERIODS},
                 period=request.args.get("weeks", "all"))


def _unavailable() -> Response:
    """Redis does not answer: say so, plainly (503)."""
    return Response(_words("admin_unavailable") + "\n", 503, mimetype="text/plain")


@bp.post("/admin")
@enabled
def sign_in() -> Any:
    """Check the token from the form; remember the sign-in in the session cookie."""
    if not check_csrf(request.form.get("csrf_token")):
        return _login_page("admin_form_expired", 400)
    if session_ok():
        return redirect(url_for("admin.dashboard"), code=303)
    if locked_out():  # refused, and not counted: the window is not restarted
        return _login_page("admin_locked", 429)
    if not token_matches(request.form.get("token", "").strip()):
        count_failure()
        return _login_page("admin_wrong_token", 401)
    try:
        end_session()
        start_session()
    except redis.RedisError:
        return _unavailable()
    return redirect(url_for("admin.dashboard"), code=303)


@bp.post("/admin/logout")
@enabled
def sign_out() -> Any:
    """Forget the sign-in."""
    if check_csrf(request.form.get("csrf_token")):
        end_session()
    return redirect(url_for("admin.dashboard"), code=303)


@bp.get("/admin/stats.csv")
@enabled
def export_csv() -> Response:
    """Every counter as CSV (week, metric, group, name, count; small counts as "<5")."""
    if not signed_in():
        return Response(_words("admin_csv_sign_in") + "\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="clearline-admin"'})
    try:
        body = stats.to_csv(stats.read(store().redis, weeks=period(), ttl_days=stats_days()))
    except redis.RedisError:
        return _unavailable()
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="clearline-stats.csv"',
    })


PERIODS = ("4", "13", "all")  # weeks shown (their names: ``ui.period.<key>``)


def stats_days() -> int:
    """How long the counters are kept (``STATS_TTL_DAYS``): "All kept" reaches that far."""
    return int(config("STATS_TTL_DAYS", str(stats.DEFAULT_TTL_DAYS)))


def period() -> int | None:
    """How many weeks to show (``?weeks=4`` or ``13``); None for all that is kept."""
    weeks = request.args.get("weeks", "all")
    return int(weeks) if weeks in PERIODS and weeks != "all" else None


# --- chart data (the SVG itself is drawn by templates/_charts.html) ----------------------

def node_name(node: str, lang: str = "en") -> str:
    """A question's plain name (``ui.node.<id>``, as a person would say it); a node without
    one shows its id in words ("some_node" as "Some node")."""
    return (ui_strings()[lang].get(f"node.{node}")
            or node.replace("_", " ").strip().capitalize() or node)


def flow_order() -> dict[str, int]:
    """Each node's position in the flow file, so the funnel lists questions as asked."""
    return {node: i for i, node in enumerate(MAIN.nodes)}


NO_CODE = "(no code)"


class Shown:
    """Every count on the page with what may be shown of it (``stats.protect``)."""

    def __init__(self, data: dict) -> None:
        cells: dict[Any, int] = {("total", k): v for k, v in data["totals"].items()}
        groups: list[tuple[list, Any]] = []
        for kind in ("started", "completed"):
            for name, row in data["channels"].items():
                cells[("ch", name, kind)] = row[kind]
            for name, row in data["refs"].items():
                cells[("ref", name, kind)] = row[kind]
            refs = [("ref", n, kind) for n in data["refs"]]
            if refs:  # with those who came without a code, the codes add up to the total
                cells[("ref", NO_CODE, kind)] = max(
                    data["totals"][kind] - sum(r[kind] for r in data["refs"].values()), 0)
                groups.append(([*refs, ("ref", NO_CODE, kind)], ("total", kind)))
            for row in data["weeks"]:
                cells[("week", row["week"], kind)] = row[kind]
            groups.append(([("ch", n, kind) for n in data["channels"]], ("total", kind)))
            groups.append(([("week", r["week"], kind) for r in data["weeks"]], ("total", kind)))
        for metric in ("outcomes", "counties"):
            for name, count in data[metric].items():
                cells[(metric, name)] = count
            groups.append(([(metric, n) for n in data[metric]], ("total", "verdicts")))
        for row in data["funnel"]:
            cells[("asked", row["node"])] = row["asked"]
        self.cells = cells
        self.hidden = stats.protect(cells, groups)

    def value(self, key: Any) -> int:
        return self.cells.get(key, 0)

    def is_hidden(self, key: Any) -> bool:
        return key in self.hidden

    def text(self, key: Any) -> str:
        return stats.shown(self.value(key), self.is_hidden(key))

    def width(self, key: Any) -> int:
        """The bar length a count may have: a hidden one is drawn to its band's top."""
        return stats.band(self.value(key))[1] if self.is_hidden(key) else self.value(key)

    def pct(self, part: Any, whole: Any) -> str:
        """``part`` as a share of ``whole``, only when both are shown (at most 100%)."""
        if self.is_hidden(part) or self.is_hidden(whole) or not self.value(whole):
            return ""
        return f"{min(round(100 * self.value(part) / self.value(whole)), 100)}%"


def _row(shown: Shown, label: str, key: Any, key2: Any = None, note: str = "") -> dict:
    row = {"label": label, "value": shown.width(key), "shown": shown.text(key),
           "hidden": shown.is_hidden(key), "note": note}
    if key2 is not None:
        row.update(value2=shown.width(key2), shown2=shown.text(key2),
                   hidden2=shown.is_hidden(key2))
    return row


def funnel(data: dict, shown: Shown | None = None, lang: str = "en") -> list[dict]:
    """People at each step: started, each question (most reached first), got an answer;
    each with its share of those who started (never over 100%) and how many were lost
    since the row before. Counts are people: a second conviction checked by the same
    person is not counted again (see ``bot.conversation``)."""
    shown = shown or Shown(data)
    order = flow_order()
    asked = sorted(data["funnel"],
                   key=lambda r: (-r["asked"], order.get(r["node"], len(order)), r["node"]))
    t = ui_strings()[lang]
    steps = [(t["admin_started"], ("total", "started"))]
    steps += [(node_name(r["node"], lang), ("asked", r["node"])) for r in asked]
    steps.append((t["admin_got_answer"], ("total", "completed")))
    rows = []
    previous: Any = None
    for label, key in steps:
        row = _row(shown, label, key, note=shown.pct(key, ("total", "started")))
        lost = ""
        if previous is not None and not shown.is_hidden(key) and not shown.is_hidden(previous):
            lost = stats.shown(max(shown.value(previous) - shown.value(key), 0))
        row["lost"] = lost if previous is not None else ""
        rows.append(row)
        previous = key
    return rows


def charts(data: dict, lang: str = "en") -> dict[str, Any]:
    """Rows for each chart and table: ``{"label", "value" (bar length), "shown" (the
    count as shown), optional "value2"/"shown2", "note"}``, and the totals as shown."""
    shown, t = Shown(data), ui_strings()[lang]

    def pairs(group: str, names: Any) -> list[dict]:
        return [_row(shown, t["admin_no_code"] if name == NO_CODE else name,
                     (group, name, "started"), (group, name, "completed"),
                     shown.pct((group, name, "completed"), (group, name, "started")))
                for name in names]

    def counts(metric: str, prefix: str = "") -> list[dict]:
        return [_row(shown, t.get(f"{prefix}{name}", name) if prefix else name, (metric, name),
                     note=shown.pct((metric, name), ("total", "verdicts")))
                for name in data[metric]]

    weeks = [w["week"] for w in data["weeks"] if w["started"] or w["completed"]]
    return {
        "funnel": funnel(data, shown, lang),
        "channels": pairs("ch", data["channels"]),
        "refs": pairs("ref", [*data["refs"], NO_CODE] if data["refs"] else []),
        "weeks": pairs("week", weeks[-TOP:]),
        "outcomes": counts("outcomes", "outcome."),
        "counties": counts("counties"),
        "totals": {k: shown.text(("total", k)) for k in data["totals"]},
        "completion": shown.pct(("total", "completed"), ("total", "started")) or "–",
    }
