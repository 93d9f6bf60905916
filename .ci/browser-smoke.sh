#!/usr/bin/env bash
# Smoke-test the WebDriver stack the browser tests use: open a Chromium session through
# chromedriver with the same capabilities as the Rust tests, load a page with Chinese text,
# read it back, take a screenshot (optional path in $1), delete the session.
# Env: WUYE_WEBDRIVER_URL (http://127.0.0.1:9515), WUYE_CHROMIUM (/usr/bin/chromium).
set -euo pipefail
WD="${WUYE_WEBDRIVER_URL:-http://127.0.0.1:9515}"
CHROMIUM="${WUYE_CHROMIUM:-/usr/bin/chromium}"
SHOT="${1:-}"

log() { echo "browser-smoke: $*" >&2; }

caps=$(cat <<JSON
{"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"binary":"$CHROMIUM","args":["--headless=new","--no-sandbox","--disable-gpu","--window-size=1280,800","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run"]}}}}
JSON
)

# Without a CJK font Chinese renders as boxes (the DOM check below would not notice).
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh family)" ]; then
  log "no Chinese font known to fontconfig; install fonts-wqy-microhei"
  exit 1
fi

resp=$(curl -sS --max-time 60 -X POST -H 'Content-Type: application/json' -d "$caps" "$WD/session")
sid=$(printf '%s' "$resp" | sed -n 's/.*"sessionId":"\([^"]*\)".*/\1/p')
if [ -z "$sid" ]; then
  log "could not create a session at $WD: $resp"
  exit 1
fi
cleanup() { curl -sS --max-time 30 -X DELETE "$WD/session/$sid" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# data:text/html;charset=utf-8,<h1 id="t">中文</h1>  (percent-encoded)
page='data:text/html;charset=utf-8,%3Ch1%20id%3D%22t%22%3E%E4%B8%AD%E6%96%87%3C%2Fh1%3E'
curl -sS --max-time 30 -X POST -H 'Content-Type: application/json' -d "{\"url\":\"$page\"}" "$WD/session/$sid/url" >/dev/null
text=$(curl -sS --max-time 30 -X POST -H 'Content-Type: application/json' \
  -d '{"script":"return document.getElementById(\"t\").textContent","args":[]}' "$WD/session/$sid/execute/sync")
case "$text" in
  *'"value":"中文"'*) ;;
  *) log "unexpected page text: $text"; exit 1 ;;
esac
if [ -n "$SHOT" ]; then
  curl -sS --max-time 30 "$WD/session/$sid/screenshot" | sed -n 's/.*"value":"\([^"]*\)".*/\1/p' | base64 -d >"$SHOT"
  log "screenshot: $SHOT"
fi
log "ok (session $sid, Chinese text round-trips)"
