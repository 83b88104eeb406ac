#!/usr/bin/env bash
# Install what the app and the tests need from Debian's packages, when missing:
# Chromium (the bulletin's charts are drawn in it by kaleido; the browser
# journeys drive it with Playwright, which never downloads a browser), its
# driver, a CJK font so that Chinese renders, an emoji font for the status
# icons, Pango, with which WeasyPrint writes the bulletin as PDF, and
# PostgreSQL, whose server the tests start privately as a DuckLake store's
# catalog (tests/postgres.py).
set -euo pipefail

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v chromedriver >/dev/null 2>&1 || packages+=(chromium-driver)
# (fc-list with a pattern, not piped into grep -q: under pipefail the early exit reads as "missing".)
[[ -n $(fc-list "Noto Sans CJK SC" 2>/dev/null) ]] || packages+=(fonts-noto-cjk)
[[ -n $(fc-list "Noto Color Emoji" 2>/dev/null) ]] || packages+=(fonts-noto-color-emoji)
[[ -n $(ldconfig -p 2>/dev/null | awk '$1 == "libpango-1.0.so.0"') ]] || packages+=(libpango-1.0-0)
[[ -n $(ldconfig -p 2>/dev/null | awk '$1 == "libpangoft2-1.0.so.0"') ]] || packages+=(libpangoft2-1.0-0)
command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
((${#packages[@]} == 0)) && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "installing ${packages[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
