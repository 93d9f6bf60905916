#!/usr/bin/env python3
"""One local stand-in for the three message providers the notification channels call:
Aliyun SMS (dysmsapi SendSms), Tencent Cloud SMS (API 3.0 SendSms) and WeChat official-account
template messages. The tests of crates/core/tests/providers.rs start it; so can a person who
wants to watch `wuye` send without a provider account.

  python3 .ci/provider_stub.py --port 0 --log FILE

The first line on stdout is `listening on PORT`. Every accepted message is appended to FILE
as one JSON line: {"provider", "to", "template", "params", "ref"}.

It checks each request the way the provider documents it, independently of the Rust code:
Aliyun's signature version 1.0 recomputed from the posted form, Tencent's TC3-HMAC-SHA256
recomputed from the headers and the raw body, WeChat's app id and secret and the access tokens
it issued. Fixed test credentials:

  Aliyun   AccessKeyId LTAI-test, secret aliyun-test-secret
  Tencent  SecretId AKID-test, SecretKey tencent-test-secret, SmsSdkAppId 1400000000
  WeChat   appid wx-test, secret wechat-test-secret

Behaviour that lets a test reach each answer:

  phone 13800000001       the provider's bad-number error
  phone 13800000002       a rate-limit error the first 2 times (per provider), then success
  openid o-rate-limited   WeChat 45009 the first 2 times, then success
  openid o-unsubscribed   WeChat 43004
  template id BAD         the provider's bad-template error
  a wrong signature       Aliyun SignatureDoesNotMatch (HTTP 400), Tencent
                          AuthFailure.SignatureFailure, WeChat 40125 for a wrong secret
  first WeChat token      reported expired (40001) on its first use, to exercise the refresh

GET /health answers 200; GET /stats answers the counters as JSON (tokens issued).
Standard library only, so that it runs on any python3.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALIYUN_KEY_ID = "LTAI-test"
ALIYUN_SECRET = "aliyun-test-secret"
TENCENT_SECRET_ID = "AKID-test"
TENCENT_SECRET_KEY = "tencent-test-secret"
TENCENT_APP_ID = "1400000000"
WECHAT_APP_ID = "wx-test"
WECHAT_SECRET = "wechat-test-secret"

BAD_NUMBER = "13800000001"
RATE_LIMITED_NUMBER = "13800000002"
RATE_LIMITED_OPENID = "o-rate-limited"
UNSUBSCRIBED_OPENID = "o-unsubscribed"
BAD_TEMPLATE = "BAD"
RATE_LIMITED_TIMES = 2

# Aliyun refuses a timestamp more than 15 minutes off, Tencent more than 5.
ALIYUN_CLOCK_SKEW = 15 * 60
TENCENT_CLOCK_SKEW = 5 * 60


class State:
    """What the stub remembers between requests; one lock for all of it."""

    def __init__(self, log_path):
        self.lock = threading.Lock()
        self.log = open(log_path, "a", encoding="utf-8")
        self.rate_limited = {}  # (provider, address) -> refusals so far
        self.aliyun_nonces = set()
        self.tokens = {}  # token -> {"expire_on_first_use": bool}
        self.tokens_issued = 0

    def record(self, provider, to, template, params, ref):
        line = json.dumps(
            {"provider": provider, "to": to, "template": template, "params": params, "ref": ref},
            ensure_ascii=False,
        )
        with self.lock:
            self.log.write(line + "\n")
            self.log.flush()

    def still_limited(self, provider, address):
        """True the first RATE_LIMITED_TIMES times it is asked for this provider and address."""
        with self.lock:
            n = self.rate_limited.get((provider, address), 0)
            if n < RATE_LIMITED_TIMES:
                self.rate_limited[(provider, address)] = n + 1
                return True
            return False

    def nonce_is_new(self, nonce):
        with self.lock:
            if nonce in self.aliyun_nonces:
                return False
            self.aliyun_nonces.add(nonce)
            return True

    def issue_token(self):
        token = "tok-" + secrets.token_hex(16)
        with self.lock:
            self.tokens_issued += 1
            self.tokens[token] = {"expire_on_first_use": self.tokens_issued == 1}
        return token

    def use_token(self, token):
        """None if the token is good; otherwise the WeChat error to answer."""
        with self.lock:
            t = self.tokens.get(token)
            if t is None:
                return (40001, "invalid credential, access_token is invalid or not latest")
            if t["expire_on_first_use"]:
                del self.tokens[token]
                return (40001, "invalid credential, access_token is invalid or not latest")
            return None


def request_id():
    return secrets.token_hex(8)


# ---------------------------------------------------------------- Aliyun (signature 1.0)

def aliyun_percent_encode(s):
    # RFC 3986: only A-Z a-z 0-9 - _ . ~ unencoded; space is %20, * is %2A.
    return urllib.parse.quote(s, safe="-_.~")


def aliyun_signature(method, params, secret):
    canonical = "&".join(
        aliyun_percent_encode(k) + "=" + aliyun_percent_encode(v) for k, v in sorted(params.items())
    )
    string_to_sign = method + "&" + aliyun_percent_encode("/") + "&" + aliyun_percent_encode(canonical)
    digest = hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode(), string_to_sign


def aliyun(handler, state, form):
    def answer(status, code, message, **extra):
        body = {"RequestId": request_id(), "Code": code, "Message": message}
        body.update(extra)
        handler.reply_json(status, body)

    params = dict(form)
    signature = params.pop("Signature", None)
    for name in ("AccessKeyId", "SignatureMethod", "SignatureNonce", "SignatureVersion",
                 "Timestamp", "Version", "Format", "RegionId"):
        if not params.get(name):
            return answer(400, "MissingParameter", "%s is mandatory for this action." % name)
    if signature is None:
        return answer(400, "MissingSignature", "Signature is mandatory for this action.")
    if params["AccessKeyId"] != ALIYUN_KEY_ID:
        return answer(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    if params["SignatureMethod"] != "HMAC-SHA1" or params["SignatureVersion"] != "1.0":
        return answer(400, "InvalidSignatureMethod", "Specified signature method is not valid.")
    expected, string_to_sign = aliyun_signature("POST", params, ALIYUN_SECRET)
    if not hmac.compare_digest(expected, signature):
        return answer(400, "SignatureDoesNotMatch",
                      "Specified signature is not matched with our calculation. "
                      "server string to sign is:" + string_to_sign)
    try:
        ts = datetime.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return answer(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
    ts = ts.replace(tzinfo=datetime.timezone.utc).timestamp()
    if abs(ts - time.time()) > ALIYUN_CLOCK_SKEW:
        return answer(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
    if not state.nonce_is_new(params["SignatureNonce"]):
        return answer(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
    if params["Version"] != "2017-05-25" or params["Format"] != "JSON":
        return answer(400, "InvalidVersion", "Specified parameter Version is not valid.")
    for name in ("PhoneNumbers", "SignName", "TemplateCode"):
        if not params.get(name):
            return answer(400, "MissingParameter", "%s is mandatory for this action." % name)

    # Business errors come back with HTTP 200, as Aliyun answers them.
    phone = params["PhoneNumbers"]
    template = params["TemplateCode"]
    if template == BAD_TEMPLATE:
        return answer(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
    try:
        template_params = json.loads(params.get("TemplateParam") or "{}")
    except ValueError:
        return answer(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
    if not isinstance(template_params, dict) or not all(
            isinstance(v, str) for v in template_params.values()):
        return answer(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
    if phone == BAD_NUMBER or not (phone.isdigit() and len(phone) == 11):
        return answer(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
    if phone == RATE_LIMITED_NUMBER and state.still_limited("aliyun", phone):
        return answer(200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
    state.record("aliyun", phone, template, template_params, params.get("OutId"))
    return answer(200, "OK", "OK", BizId="%d^0" % secrets.randbelow(10**15))


# ---------------------------------------------------------------- Tencent (TC3-HMAC-SHA256)

def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def hmac256(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def parse_tc3_authorization(value):
    """'TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=hex'"""
    algorithm, _, rest = value.partition(" ")
    if algorithm != "TC3-HMAC-SHA256":
        return None
    fields = {}
    for part in rest.split(","):
        name, eq, val = part.strip().partition("=")
        if not eq:
            return None
        fields[name] = val
    try:
        secret_id, date, service, terminator = fields["Credential"].split("/")
        return {
            "secret_id": secret_id, "date": date, "service": service, "terminator": terminator,
            "signed_headers": fields["SignedHeaders"], "signature": fields["Signature"],
        }
    except (KeyError, ValueError):
        return None


def tencent(handler, state, raw_body):
    def answer(payload):
        payload["RequestId"] = request_id()
        handler.reply_json(200, {"Response": payload})

    def error(code, message):
        answer({"Error": {"Code": code, "Message": message}})

    auth = parse_tc3_authorization(handler.headers.get("Authorization", ""))
    if auth is None or auth["terminator"] != "tc3_request":
        return error("AuthFailure.InvalidAuthorization",
                     "Authorization in the request header is invalid.")
    if auth["secret_id"] != TENCENT_SECRET_ID:
        return error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
    try:
        timestamp = int(handler.headers.get("X-TC-Timestamp", ""))
    except ValueError:
        return error("MissingParameter", "The request is missing a required parameter `Timestamp`.")
    if abs(timestamp - time.time()) > TENCENT_CLOCK_SKEW:
        return error("AuthFailure.SignatureExpire", "Signature expired.")
    date = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%d")
    signed = auth["signed_headers"].split(";")
    if "content-type" not in signed or "host" not in signed or auth["date"] != date \
            or auth["service"] != "sms":
        return error("AuthFailure.SignatureFailure",
                     "The provided credentials could not be validated. "
                     "Please check your signature is correct.")
    canonical_headers = ""
    for name in signed:
        value = handler.headers.get(name)
        if value is None:
            return error("AuthFailure.SignatureFailure",
                         "The provided credentials could not be validated. "
                         "Please check your signature is correct.")
        canonical_headers += "%s:%s\n" % (name.lower(), value.strip().lower())
    canonical_request = "\n".join([
        handler.command, "/", "", canonical_headers, auth["signed_headers"], sha256_hex(raw_body),
    ])
    string_to_sign = "\n".join([
        "TC3-HMAC-SHA256", str(timestamp), "%s/%s/tc3_request" % (date, auth["service"]),
        sha256_hex(canonical_request.encode()),
    ])
    key = hmac256(("TC3" + TENCENT_SECRET_KEY).encode(), date)
    key = hmac256(key, auth["service"])
    key = hmac256(key, "tc3_request")
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, auth["signature"]):
        return error("AuthFailure.SignatureFailure",
                     "The provided credentials could not be validated. "
                     "Please check your signature is correct.")

    if handler.headers.get("X-TC-Action") != "SendSms":
        return error("InvalidAction", "The action requested is invalid.")
    if handler.headers.get("X-TC-Version") != "2021-01-11":
        return error("NoSuchVersion", "The requested version does not exist.")
    if not handler.headers.get("X-TC-Region"):
        return error("MissingParameter", "The request is missing a required parameter `Region`.")
    try:
        body = json.loads(raw_body.decode("utf-8"))
    except ValueError:
        return error("FailedOperation.JsonParseFail", "Failed to parse the JSON request body.")
    if body.get("SmsSdkAppId") != TENCENT_APP_ID:
        return error("InvalidParameterValue.SdkAppIdNotExist", "The SdkAppId does not exist.")
    numbers = body.get("PhoneNumberSet")
    values = body.get("TemplateParamSet", [])
    if not isinstance(numbers, list) or not numbers or not body.get("SignName") \
            or not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return error("InvalidParameter", "Parameter error.")
    template = body.get("TemplateId")
    if template == BAD_TEMPLATE:
        return error("FailedOperation.TemplateIncorrectOrUnapproved",
                     "the template is unapproved or the content does not match")
    context = body.get("SessionContext", "")

    statuses = []
    for number in numbers:
        status = {"PhoneNumber": number, "SessionContext": context, "Fee": 0, "SerialNo": "",
                  "IsoCode": "CN"}
        local = number[3:] if number.startswith("+86") else number
        if local == BAD_NUMBER or not (local.isdigit() and len(local) == 11):
            status.update(Code="InvalidParameterValue.IncorrectPhoneNumber",
                          Message="incorrect phone number format", IsoCode="")
        elif local == RATE_LIMITED_NUMBER and state.still_limited("tencent", number):
            status.update(Code="LimitExceeded.PhoneNumberThirtySecondLimit",
                          Message="the number of SMS messages sent to the same number in 30 "
                                  "seconds exceeds the limit")
        else:
            status.update(Code="Ok", Message="send success", Fee=1,
                          SerialNo="2640:%d" % secrets.randbelow(10**18))
            state.record("tencent", number, template, values, context or None)
        statuses.append(status)
    answer({"SendStatusSet": statuses})


# ---------------------------------------------------------------- WeChat

def wechat(handler, state, path, query, raw_body):
    def answer(errcode, errmsg, **extra):
        body = {"errcode": errcode, "errmsg": errmsg}
        body.update(extra)
        handler.reply_json(200, body)

    if path == "/cgi-bin/token" and handler.command == "GET":
        if query.get("grant_type") != "client_credential":
            return answer(40002, "invalid grant_type")
        if query.get("appid") != WECHAT_APP_ID:
            return answer(40013, "invalid appid")
        if not hmac.compare_digest(query.get("secret", ""), WECHAT_SECRET):
            return answer(40125, "invalid appsecret")
        return handler.reply_json(200, {"access_token": state.issue_token(), "expires_in": 7200})

    if path == "/cgi-bin/message/template/send" and handler.command == "POST":
        refused = state.use_token(query.get("access_token", ""))
        if refused:
            return answer(*refused)
        try:
            body = json.loads(raw_body.decode("utf-8"))
        except ValueError:
            return answer(47001, "data format error")
        openid = body.get("touser")
        template = body.get("template_id")
        data = body.get("data", {})
        if not isinstance(openid, str) or not openid.startswith("o"):
            return answer(40003, "invalid openid")
        if template == BAD_TEMPLATE or not template:
            return answer(40037, "invalid template_id")
        if not isinstance(data, dict) or not all(
                isinstance(v, dict) and isinstance(v.get("value"), str) for v in data.values()):
            return answer(47003, "argument invalid! data.value invalid")
        if openid == UNSUBSCRIBED_OPENID:
            return answer(43004, "require subscribe")
        if openid == RATE_LIMITED_OPENID and state.still_limited("wechat", openid):
            return answer(45009, "reach max api daily quota limit")
        params = {name: v["value"] for name, v in data.items()}
        state.record("wechat", openid, template, params, None)
        return answer(0, "ok", msgid=secrets.randbelow(10**10))

    handler.reply_json(404, {"errcode": 404, "errmsg": "not found"})


# ---------------------------------------------------------------- HTTP

class Handler(BaseHTTPRequestHandler):
    server_version = "provider-stub/1"
    protocol_version = "HTTP/1.1"
    state = None  # set in main

    def log_message(self, fmt, *args):
        sys.stderr.write("provider_stub: " + (fmt % args) + "\n")

    def reply_json(self, status, body):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/health":
            return self.reply_json(200, {"status": "ok"})
        if url.path == "/stats":
            with self.state.lock:
                return self.reply_json(200, {"wechat_tokens_issued": self.state.tokens_issued})
        if url.path.startswith("/cgi-bin/"):
            return wechat(self, self.state, url.path, dict(urllib.parse.parse_qsl(url.query)), b"")
        self.reply_json(404, {"error": "not found"})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        body = self.read_body()
        if url.path.startswith("/cgi-bin/"):
            query = dict(urllib.parse.parse_qsl(url.query))
            return wechat(self, self.state, url.path, query, body)
        if url.path == "/" and self.headers.get("X-TC-Action"):
            return tencent(self, self.state, body)
        if url.path == "/":
            try:
                form = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                              strict_parsing=bool(body))
            except (UnicodeDecodeError, ValueError):
                form = []
            if dict(form).get("Action") == "SendSms":
                return aliyun(self, self.state, form)
        self.reply_json(404, {"error": "not found"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--log", required=True, help="file each accepted message is appended to")
    args = parser.parse_args()

    Handler.state = State(args.log)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print("listening on %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
