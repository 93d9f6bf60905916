#!/usr/bin/env bash
# Install the Debian packages CI needs (idempotent).
#   - skips everything when all packages are already installed (fast local reruns)
#   - otherwise: apt-get update, then apt-get install of the missing ones, retried once
#     (apt may fail once on a fresh machine).
# Extra packages can be added with WUYE_CI_EXTRA_PACKAGES="pkg1 pkg2".
set -euo pipefail

packages=(postgresql postgresql-15-auto-failover pg-auto-failover-cli chromium chromium-driver fonts-wqy-microhei poppler-utils curl ca-certificates python3 python3-venv python3-aiosmtpd nginx)
# shellcheck disable=SC2206
packages+=(${WUYE_CI_EXTRA_PACKAGES:-})

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  if [ "$status" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages already installed: ${packages[*]}"
else
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    SUDO=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  echo "install-deps: missing: ${missing[*]}"
  "${SUDO[@]}" apt-get update
  if ! "${SUDO[@]}" apt-get install -y "${missing[@]}" </dev/null; then
    echo "install-deps: apt-get install failed; retrying once after another apt-get update" >&2
    sleep 5
    "${SUDO[@]}" apt-get update || true
    "${SUDO[@]}" apt-get install -y "${missing[@]}" </dev/null
  fi
fi

# Sanity checks: fail here, clearly, rather than deep inside a test.
for f in /usr/bin/chromium /usr/bin/chromedriver /usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/bin/pdffonts; do
  if [ ! -e "$f" ]; then
    echo "install-deps: expected $f after install, but it is missing" >&2
    exit 1
  fi
done
# The SMTP server the notification tests deliver to (.ci/smtp_sink.py) runs on Debian's Python.
if ! /usr/bin/python3 -c "import aiosmtpd" 2>/dev/null; then
  echo "install-deps: /usr/bin/python3 cannot import aiosmtpd after install" >&2
  exit 1
fi
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  echo "install-deps: no /usr/lib/postgresql/*/bin after install" >&2
  exit 1
fi
echo "install-deps: done"
