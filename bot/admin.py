"""Impact stats for editors and outreach leads: ``/admin``, behind ``ADMIN_TOKEN``.

No token set: the pages do not exist (404). Otherwise a person signs in once with the
token (compared in constant time with :func:`hmac.compare_digest`); the signed session
cookie then remembers a hash of it, so changing the token signs everyone out. Scripts may
send ``Authorization: Bearer <token>`` instead. After ``MAX_FAILURES`` wrong tokens from
one address (counted under a keyed hash of it, with a TTL) that address waits
``FAILURE_WINDOW`` seconds. Only aggregate counters are shown
(``bot.stats``); the CSV export shows counts under 5 as "<5".
"""

from __future__ import annotations

import hashlib
import hmac
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
from bot.web import check_csrf, config, secure, store

bp = Blueprint("admin", __name__, template_folder="templates")
bp.after_request(secure)

TOP = 15  # rows per chart; the tables below each chart list every row
MAX_FAILURES = 10  # wrong tokens from one address before it must wait
FAILURE_WINDOW = 15 * 60  # seconds


def _token() -> str:
    return config("ADMIN_TOKEN")


def _fingerprint(token: str) -> str:
    return hashlib.sha256(b"clearline-admin:" + token.encode("utf-8")).hexdigest()


def token_matches(given: str | None) -> bool:
    """Constant-time check of ``given`` against ``ADMIN_TOKEN``."""
    token = _token()
    if not token or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def _failures_key() -> str:
    """Where wrong tokens from this address are counted (a keyed hash, not the address)."""
    secret = str(current_app.secret_key or "").encode("utf-8")
    who = hmac.new(secret, (request.remote_addr or "-").encode("utf-8"), hashlib.sha256)
    return f"clearline:{{admin}}:fail:{who.hexdigest()[:16]}"


def locked_out() -> bool:
    """True after ``MAX_FAILURES`` wrong tokens from this address within the window."""
    try:
        return int(store().redis.get(_failures_key()) or 0) >= MAX_FAILURES
    except (redis.RedisError, ValueError):
        return False


def count_failure() -> None:
    """Count one wrong token from this address (the window restarts with each one)."""
    try:
        pipe = store().redis.pipeline(transaction=True)
        pipe.incr(_failures_key())
        pipe.expire(_failures_key(), FAILURE_WINDOW)
        pipe.execute()
    except redis.RedisError:
        pass


def signed_in() -> bool:
    """True for a bearer token or a session that signed in with the current token."""
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        if not locked_out() and token_matches(auth[7:].strip()):
            return True
        count_failure()
        return False
    remembered = session.get("admin")
    token = _token()
    return bool(
        isinstance(remembered, str)
        and token
        and hmac.compare_digest(remembered, _fingerprint(token))
    )


def enabled(view: Any) -> Any:
    """404 for every admin page while ``ADMIN_TOKEN`` is not set."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _token():
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def _login_page(error: str | None = None, status: int = 401) -> tuple[str, int]:
    return render_template(
        "admin_login.html", lang="en", error=error, csrf_token=generate_csrf()
    ), status


@bp.get("/admin")
@enabled
def dashboard() -> Any:
    """The charts, or the sign-in form (401) without the token."""
    if not signed_in():
        return _login_page()
    try:
        data = stats.read(store().redis, weeks=period())
    except redis.RedisError:
        return Response("The stats are out of reach right now (Redis does not answer). "
                        "Please try again in a few minutes.\n", 503, mimetype="text/plain")
    return render_template("admin.html", lang="en", s=data, charts=charts(data), top=TOP,
                           periods=PERIODS, period=request.args.get("weeks", "all"),
                           csrf_token=generate_csrf())


@bp.post("/admin")
@enabled
def sign_in() -> Any:
    """Check the token from the form; remember the sign-in in the session cookie."""
    if not check_csrf(request.form.get("csrf_token")):
        return _login_page("This form was open too long. Please try again.", 400)
    if locked_out():
        return _login_page("Too many wrong tokens. Please wait 15 minutes and try again.", 429)
    if not token_matches(request.form.get("token", "").strip()):
        count_failure()
        return _login_page("That token is not right.", 401)
    session["admin"] = _fingerprint(_token())
    return redirect(url_for("admin.dashboard"), code=303)


@bp.post("/admin/logout")
@enabled
def sign_out() -> Any:
    """Forget the sign-in."""
    if check_csrf(request.form.get("csrf_token")):
        session.pop("admin", None)
    return redirect(url_for("admin.dashboard"), code=303)


@bp.get("/admin/stats.csv")
@enabled
def export_csv() -> Response:
    """Every counter as CSV (week, metric, group, name, count; small counts as "<5")."""
    if not signed_in():
        return Response("Sign in at /admin first, or send Authorization: Bearer <token>.\n",
                        status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="clearline-admin"'})
    try:
        body = stats.to_csv(stats.read(store().redis, weeks=period()))
    except redis.RedisError:
        return Response("Redis does not answer; try again in a few minutes.\n", 503,
                        mimetype="text/plain")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="clearline-stats.csv"',
    })


PERIODS = {"4": "Last 4 weeks", "13": "Last 13 weeks", "all": "All kept"}


def period() -> int | None:
    """How many weeks to show (``?weeks=4`` or ``13``); None for all that is kept."""
    weeks = request.args.get("weeks", "all")
    return int(weeks) if weeks in PERIODS and weeks != "all" else None


# --- chart data (the SVG itself is drawn by templates/_charts.html) ----------------------

# Short names for the flow's question nodes (dialogs/flows/check.yaml); others show their id.
NODE_NAMES = {
    "court": "Court (state or county)",
    "court_hint": "Court: not sure",
    "offense": "Charge",
    "conviction_date": "Year of conviction",
    "year_split": "Year: before/after Nov 2016",
    "county": "County",
    "level": "Felony or misdemeanor",
    "currently_serving": "Still serving",
    "juvenile": "Juvenile court",
    "age_at_offense": "Age at the time",
    "amount": "Amount",
    "prior_super_strike": "Serious prior",
    "pc290_registrant": "Sex-offender registration",
    "prior_same_offense_convictions": "Same-kind priors",
    "sale_to_minor": "Sale to a minor",
    "interstate": "Across state lines",
    "noncitizen": "Citizenship",
    "another": "Check another?",
    "confirm_delete": "Confirm erase",
}


# Plain names for the rules' outcome codes (rules/codes.py); the tables keep the codes.
OUTCOME_NAMES = {
    "likely_cleared": "Likely cleared already",
    "likely_destroyed": "Record should be destroyed",
    "petition": "Eligible: ask the court",
    "not_eligible": "Not eligible (disqualifier)",
    "not_covered": "Not covered by this law",
    "unsure": "Not enough facts",
}


def flow_order() -> dict[str, int]:
    """Each node's position in the flow file, so the funnel lists questions as asked."""
    try:
        from dialogs.flow import MAIN
    except Exception:  # the admin page still works, in count order only
        return {}
    return {node: i for i, node in enumerate(MAIN.nodes)}


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else ""


def funnel(data: dict) -> list[dict]:
    """Started, each question (most asked first), verdicts, completed; with % of started
    and how many were lost since the row before."""
    started = data["totals"]["started"]
    rows = [{"label": "Started", "value": started}]
    order = flow_order()
    asked = sorted(data["funnel"],
                   key=lambda r: (-r["asked"], order.get(r["node"], len(order)), r["node"]))
    rows += [{"label": NODE_NAMES.get(r["node"], r["node"]), "value": r["asked"]}
             for r in asked]
    rows.append({"label": "Got an answer", "value": data["totals"]["verdicts"]})
    rows.append({"label": "Completed", "value": data["totals"]["completed"]})
    previous = None
    for row in rows:
        row["note"] = _pct(row["value"], started)
        row["lost"] = max(previous - row["value"], 0) if previous is not None else 0
        previous = row["value"]
    return rows


def charts(data: dict) -> dict[str, list[dict]]:
    """Rows for each chart: ``{"label", "value", optional "value2", "note"}``."""

    def pairs(groups: dict[str, dict[str, int]]) -> list[dict]:
        return [
            {"label": name, "value": c["started"], "value2": c["completed"],
             "note": _pct(c["completed"], c["started"])}
            for name, c in groups.items()
        ]

    def counts(values: dict[str, int], names: dict[str, str] | None = None) -> list[dict]:
        total = sum(values.values())
        return [{"label": (names or {}).get(name, name), "value": n, "note": _pct(n, total)}
                for name, n in values.items()]

    weeks = [w for w in data["weeks"] if w["started"] or w["completed"]]
    return {
        "funnel": funnel(data),
        "channels": pairs(data["channels"]),
        "refs": pairs(data["refs"]),
        "weeks": [{"label": w["week"], "value": w["started"], "value2": w["completed"],
                   "note": _pct(w["completed"], w["started"])} for w in weeks[-TOP:]],
        "outcomes": counts(data["outcomes"], OUTCOME_NAMES),
        "counties": counts(data["counties"]),
    }
