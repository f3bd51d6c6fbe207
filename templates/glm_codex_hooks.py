# LiteLLM callbacks written by glm-codex-setup (glm-bridge.yaml names them under litellm_settings.callbacks).
# Rewritten on every run of the tool: do not edit, your changes would be replaced.
#
# 1. Z.ai's refusals reach Codex in a shape Codex puts into words, at once, instead of a 429 that Codex
#    retries for half a minute and then calls "exceeded retry limit":
#    - a spent window (1308, 1310, 1304): 429 usage_limit_reached with the reset time -> "You've hit your
#      usage limit. <Z.ai's words>, or try again at 1:00 PM."
#    - no balance / expired plan (1113, 1309): 429 usage_limit_reached with Z.ai's words and the fix.
#    - a bad key (401, 1000-1004) and a model the plan lacks (1311): 400, which Codex does not retry and
#      prints with its body: Z.ai's message and the fix. Never a 429.
#    - an overload (1302, 1303, 1305, 1312, 1313): 400 with Z.ai's words, at once. (A 503
#      server_is_overloaded is retried by Codex four times and then called "Selected model is at
#      capacity": measured 7.7 s through the proxy, over the 5 s a refusal may take to reach words.)
# 2. Every answer carries GLM's Coding Plan windows as Codex's rate-limit headers (x-codex-primary-* for the
#    5-hour window, x-codex-secondary-* for the weekly one), from Z.ai's quota API, refreshed in the
#    background at most once a minute; nothing is sent while the quota API does not answer.
import json
import os
import re
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone

from fastapi import HTTPException
from litellm.integrations.custom_logger import CustomLogger

# Z.ai's servers write reset times in China Standard Time (both sites).
ZAI_TIME = timezone(timedelta(hours=8))
QUOTA_REFRESH_SECONDS = 60
QUOTA_TIMEOUT_SECONDS = 5
MARK = "glm_codex"
STASH = "_glm_codex_headers"

AUTH_CODES = {"1000", "1001", "1002", "1003", "1004"}
WINDOW_CODES = {"1304", "1308", "1310"}
BILLING_CODES = {"1113", "1309"}
MODEL_CODES = {"1311"}
OVERLOAD_CODES = {"1302", "1303", "1305", "1312", "1313"}

# The setup command as the user runs it (npx, on PATH, or a checkout's full path): the tool passes it when it
# starts the proxy, so the fix names a command that runs as printed.
SETUP_COMMAND = os.environ.get("GLM_CODEX_SETUP_COMMAND") or "glm-codex-setup"

FIXES = {
    "auth": f"Z.ai refused the API key (invalid, expired or revoked). Create a key at https://z.ai/manage-apikey/apikey-list and run {SETUP_COMMAND} again with it.",
    "1113": "Top up the account, or use a key for the plan of this endpoint (Coding Plan keys: --endpoint coding).",
    "1309": "Renew the GLM Coding Plan in the Z.ai console.",
    "1311": "Your plan does not include this model: pick another one with /model, or upgrade the plan.",
    "window": "Check the plan's limits in the Z.ai console",
    "overload": "This passes: send the prompt again in a moment.",
}

# Messages as Z.ai words them, for when LiteLLM keeps only the text (no business code).
MESSAGE_CODES = [
    (re.compile(r"Usage limit reached for 5 hour", re.I), "1308"),
    (re.compile(r"Weekly/Monthly Limit|weekly limit", re.I), "1310"),
    (re.compile(r"daily (call )?limit|daily usage limit", re.I), "1304"),
    (re.compile(r"Insufficient balance|no resource package|余额不足|欠费", re.I), "1113"),
    (re.compile(r"(plan|package).{0,40}expired|套餐已过期", re.I), "1309"),
    (re.compile(r"(plan|package) does not include|not (included|supported) in your (plan|package)", re.I), "1311"),
    (re.compile(r"High concurrency|并发", re.I), "1302"),
    (re.compile(r"high frequency|frequency", re.I), "1303"),
    (re.compile(r"temporarily overloaded|overloaded", re.I), "1305"),
    (re.compile(r"high traffic|model is busy|currently busy", re.I), "1312"),
    (re.compile(r"fair use|fair-use", re.I), "1313"),
    (re.compile(r"Authorization Token|身份验证|Authentication Fail|token has expired|令牌已过期", re.I), "1002"),
]

RESET_AT = re.compile(r"reset at (\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?")


def _zai_error(exception):
    """Z.ai's (code, message) from LiteLLM's exception: the upstream body where LiteLLM kept it, else its text."""
    texts = []
    for attribute in ("body", "message"):
        value = getattr(exception, attribute, None)
        if value:
            texts.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    response = getattr(exception, "response", None)
    try:
        if response is not None and getattr(response, "text", None):
            texts.append(response.text)
    except Exception:
        pass
    texts.append(str(exception))
    text = "\n".join(texts)
    code = None
    found = re.search(r'\\?"code\\?"\s*:\s*\\?"?(1\d{3})', text)
    if found:
        code = found.group(1)
    message = None
    quoted = re.search(r'\\?"message\\?"\s*:\s*\\?"((?:[^"\\]|\\.)*)', text)
    if quoted:
        message = quoted.group(1)
    if message is None:
        message = str(getattr(exception, "message", "") or exception)
        # LiteLLM's prefixes: "litellm.RateLimitError: RateLimitError: OpenAIException - <Z.ai's message>"
        message = re.sub(r"^(?:litellm\.\w+: )?(?:\w+Error: )?(?:\w+Exception - )?", "", message)
        message = message.split("\n")[0]
        message = re.sub(r"\.?\s*Received Model Group=.*$", "", message)
    message = message.replace('\\"', '"').strip()
    if code is None:
        for pattern, candidate in MESSAGE_CODES:
            if pattern.search(message):
                code = candidate
                break
    status = getattr(exception, "status_code", None)
    if code is None and status == 401:
        code = "1000"
    return code, message


def reset_time(message):
    """Unix seconds of Z.ai's 'reset at YYYY-MM-DD HH:MM:SS' (China Standard Time), or None."""
    found = RESET_AT.search(message or "")
    if not found:
        return None
    year, month, day, hour, minute, second = (int(part or 0) for part in found.groups())
    try:
        return int(datetime(year, month, day, hour, minute, second, tzinfo=ZAI_TIME).timestamp())
    except ValueError:
        return None


def header_text(text, limit=300):
    """A header value Codex can read: visible ASCII only (Z.ai's Chinese messages are left out)."""
    cleaned = re.sub(r"\s+", " ", text or "").strip()
    if not cleaned or re.search(r"[^\x20-\x7e]", cleaned):
        return None
    return cleaned[:limit]


def without_reset(message):
    """Z.ai's message without its 'Your limit will reset at …' clause: Codex says the time, in local time."""
    return re.sub(r"\.?\s*Your limit will reset at [^.]*\.?$", "", message or "", flags=re.I).strip().rstrip(".")


def refusal(code, message):
    """What Codex should get for Z.ai's refusal: (status, fields for the error object, headers), or None."""
    said = f"Z.ai {code}: {message}" if message else f"Z.ai {code}"
    if code in AUTH_CODES:
        return 400, {"type": "zai_invalid_api_key", "code": "invalid_api_key", "message": f"{said.rstrip('.。')}. {FIXES['auth']}"}, {}
    if code in WINDOW_CODES:
        fields = {"type": "usage_limit_reached", "code": "usage_limit_reached", "message": said}
        resets = reset_time(message)
        if resets is not None:
            fields["resets_at"] = resets
        words = header_text(f"Z.ai {code}: {without_reset(message)}. {FIXES['window']}") or header_text(f"Z.ai {code}. {FIXES['window']}")
        return 429, fields, ({"x-codex-promo-message": words} if words else {})
    if code in BILLING_CODES:
        fields = {"type": "usage_limit_reached", "code": "usage_limit_reached", "message": f"{said.rstrip('.')}. {FIXES[code]}"}
        words = header_text(f"Z.ai {code}: {message.rstrip('.')}. {FIXES[code]}") or header_text(f"Z.ai {code}. {FIXES[code]}")
        return 429, fields, ({"x-codex-promo-message": words} if words else {})
    if code in MODEL_CODES:
        return 400, {"type": "zai_model_not_in_plan", "code": "model_not_in_plan", "message": f"{said.rstrip('.')}. {FIXES[code]}"}, {}
    if code in OVERLOAD_CODES:
        return 400, {"type": "zai_overloaded", "code": "overloaded", "message": f"{said.rstrip('.')}. {FIXES['overload']}"}, {}
    return None


class _Quota:
    """Z.ai's Coding Plan windows, fetched in the background (never on a request's path)."""

    def __init__(self):
        self.headers = {}
        self.lock = threading.Lock()
        self.next_fetch = 0.0
        self.running = False

    def url(self):
        override = os.environ.get("GLM_CODEX_QUOTA_URL")
        if override:
            return override
        try:
            import yaml

            here = os.path.dirname(os.path.abspath(__file__))
            with open(os.path.join(here, "glm-bridge.yaml"), encoding="utf-8") as handle:
                config = yaml.safe_load(handle) or {}
            for entry in config.get("model_list") or []:
                base = str(((entry or {}).get("litellm_params") or {}).get("api_base") or "")
                found = re.match(r"^(https?://[^/]+)", base)
                if found:
                    return found.group(1) + "/api/monitor/usage/quota/limit"
        except Exception:
            return None
        return None

    def maybe_refresh(self):
        now = time.monotonic()
        with self.lock:
            if self.running or now < self.next_fetch:
                return
            self.running = True
            self.next_fetch = now + QUOTA_REFRESH_SECONDS
        threading.Thread(target=self._refresh, daemon=True).start()

    def _refresh(self):
        try:
            self.headers = quota_headers(self._fetch())
        except Exception:
            self.headers = {}
        finally:
            with self.lock:
                self.running = False

    def _fetch(self):
        url = self.url()
        key = os.environ.get("ZAI_API_KEY", "")
        if not url or not key:
            return None
        request = urllib.request.Request(url, headers={"Authorization": key, "Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=QUOTA_TIMEOUT_SECONDS) as answer:
            return json.loads(answer.read(1_000_000).decode("utf-8"))


def quota_headers(document, now=None):
    """Codex's rate-limit headers from the quota API's answer: unit 3 (5 hours) primary, unit 6 (weekly) secondary."""
    if not isinstance(document, dict) or document.get("success") is False:
        return {}
    data = document.get("data") or {}
    limits = data.get("limits") if isinstance(data, dict) else None
    if not isinstance(limits, list):
        return {}
    now = time.time() if now is None else now
    headers = {}
    for limit in limits:
        if not isinstance(limit, dict) or limit.get("type") != "TOKENS_LIMIT":
            continue
        name = {3: "primary", 6: "secondary"}.get(limit.get("unit"))
        percent = limit.get("percentage")
        if name is None or not isinstance(percent, (int, float)) or isinstance(percent, bool):
            continue
        minutes = 300 if name == "primary" else 7 * 24 * 60
        headers[f"x-codex-{name}-used-percent"] = str(percent)
        headers[f"x-codex-{name}-window-minutes"] = str(minutes)
        reset_ms = limit.get("nextResetTime")
        if isinstance(reset_ms, (int, float)) and not isinstance(reset_ms, bool):
            headers[f"x-codex-{name}-reset-at"] = str(int(reset_ms // 1000))
            headers[f"x-codex-{name}-reset-after-seconds"] = str(max(0, int(reset_ms // 1000 - now)))
    return headers


def _patch_error_body():
    """LiteLLM's error body has message/type/param/code only: let ours also carry Codex's resets_at."""
    try:
        from litellm.proxy._types import ProxyException
    except Exception:
        return
    if getattr(ProxyException.to_dict, MARK, False):
        return
    original = ProxyException.to_dict

    def to_dict(self):
        body = original(self)
        ours = (getattr(self, "provider_specific_fields", None) or {}).get(MARK)
        if isinstance(ours, dict):
            body.pop("provider_specific_fields", None)
            body.update(ours)
        return body

    setattr(to_dict, MARK, True)
    ProxyException.to_dict = to_dict


class GlmCodexHooks(CustomLogger):
    def __init__(self):
        super().__init__()
        self.quota = _Quota()
        _patch_error_body()

    async def async_post_call_failure_hook(self, request_data, original_exception, user_api_key_dict, traceback_str=None):
        if isinstance(original_exception, HTTPException):
            return None
        code, message = _zai_error(original_exception)
        answer = refusal(code, message) if code else None
        if answer is None:
            return None
        status, fields, headers = answer
        if isinstance(request_data, dict):
            request_data[STASH] = headers
        error = HTTPException(status_code=status, detail=fields["message"])
        error.type = fields["type"]
        error.provider_specific_fields = {MARK: fields}
        return error

    async def async_post_call_response_headers_hook(self, data, user_api_key_dict, response, request_headers=None, litellm_call_info=None):
        self.quota.maybe_refresh()
        headers = dict(self.quota.headers)
        if isinstance(data, dict) and isinstance(data.get(STASH), dict):
            headers.update(data[STASH])
        return headers or None


handler = GlmCodexHooks()
