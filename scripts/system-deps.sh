#!/usr/bin/env bash
# Install the Debian packages Gapline needs, only those whose command is missing.
# Usage: scripts/system-deps.sh [test]   ("test" adds what only the test suite needs)
set -euo pipefail

declare -A wanted=(
  [tesseract]="tesseract-ocr tesseract-ocr-eng"   # reads scanned certificates
)
if [[ "${1:-}" == "test" ]]; then
  wanted[redis-server]="redis-server"             # a private Redis when none is reachable
  wanted[chromium]="chromium"                     # browser tests drive Debian's Chromium
fi

missing=()
for cmd in "${!wanted[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=(${wanted[$cmd]})
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "system-deps: install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
