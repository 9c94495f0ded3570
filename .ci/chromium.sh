#!/usr/bin/env bash
# Headless Chromium for the page tests (tests/test_output_review.py, tests/test_output_report_html.py):
# Debian's `chromium` package, installed quietly when no Chromium is on the PATH. It never fails
# the CI run: when the install is not possible those tests skip and say why.
for name in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$name" >/dev/null 2>&1; then exit 0; fi
done
note() { echo "chromium.sh: $*" >&2; }
if ! command -v apt-get >/dev/null 2>&1; then
  note "no apt-get here; the browser tests will be skipped"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    note "not root and no sudo; the browser tests will be skipped"
    exit 0
  fi
fi
note "installing Debian's chromium (and its fonts) for the browser tests"
export DEBIAN_FRONTEND=noninteractive
if timeout 900 $SUDO apt-get update -qq >/dev/null 2>&1 &&
   timeout 900 $SUDO apt-get install -y -qq chromium fonts-liberation >/dev/null 2>&1; then
  note "installed $(chromium --version 2>/dev/null | head -1)"
else
  note "the install failed; the browser tests will be skipped"
fi
exit 0
