#!/bin/sh
# Install Debian's Chromium and its WebDriver for the dashboard's browser test
# (tests/dashboard/test_browser.py). Idempotent: does nothing when both are present.
# Browser downloads from the web (e.g. `playwright install`) do not work on the CI machines.
set -eu
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver
