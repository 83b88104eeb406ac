#!/usr/bin/env bash
# Install what the browser journeys need from Debian's packages, when missing:
# Chromium, its driver, a CJK font so that Chinese labels render, and an emoji
# font for the status icons.
# Playwright drives this system Chromium; it never downloads a browser.
set -euo pipefail

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v chromedriver >/dev/null 2>&1 || packages+=(chromium-driver)
# (fc-list with a pattern, not piped into grep -q: under pipefail the early exit reads as "missing".)
[[ -n $(fc-list "Noto Sans CJK SC" 2>/dev/null) ]] || packages+=(fonts-noto-cjk)
[[ -n $(fc-list "Noto Color Emoji" 2>/dev/null) ]] || packages+=(fonts-noto-color-emoji)
((${#packages[@]} == 0)) && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "installing ${packages[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
