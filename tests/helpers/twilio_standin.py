"""A local stand-in of Twilio's Messages endpoint (REST, 2010-04-01), over real HTTP.

twilio's own REST client talks to it when its ``api.base_url`` points here (the app's
``TWILIO_API_BASE_URL``). It checks the account's Basic auth and records every message
created; answers have the shape of Twilio's Message resource.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

ACCOUNT_SID = "AC" + "1" * 32
_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages\.json$")


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class TwilioStandIn:
    """The stand-in server; ``base_url`` is what ``TWILIO_API_BASE_URL`` should be."""

    def __init__(self, token: str, account_sid: str = ACCOUNT_SID) -> None:
        self.token = token
        self.account_sid = account_sid
        self.sent: list[dict[str, str]] = []  # every message created: To, From, Body
        self.refused = 0
        self._sids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True,
                                   request_handler=_Quiet)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> TwilioStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _authorised(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        match = _PATH.match(request.path)
        if request.method != "POST" or not match or match.group(1) != self.account_sid:
            return Response(json.dumps({"code": 20404, "message": "Not found", "status": 404}),
                            404, mimetype="application/json")(environ, start_response)
        if not self._authorised(request):
            with self._lock:
                self.refused += 1
            return Response(json.dumps({"code": 20003, "message": "Authenticate",
                                        "status": 401}), 401,
                            mimetype="application/json")(environ, start_response)
        form = request.form
        message = {"To": form.get("To", ""), "From": form.get("From", ""),
                   "Body": form.get("Body", "")}
        with self._lock:
            self.sent.append(message)
            sid = f"SM{next(self._sids):032x}"
        body = {
            "sid": sid, "account_sid": self.account_sid, "to": message["To"],
            "from": message["From"], "body": message["Body"], "status": "queued",
            "num_segments": "1", "direction": "outbound-api", "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        return Response(json.dumps(body), 201, mimetype="application/json")(environ,
                                                                             start_response)
