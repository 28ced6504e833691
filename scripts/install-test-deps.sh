#!/usr/bin/env bash
# Installs the Debian packages the tests need (scripts/test-packages.txt) when
# any is missing: with apt-get as root, with sudo when it works without a
# password; otherwise it prints the one command to run and exits 2.
set -euo pipefail
cd "$(dirname "$0")"

mapfile -t wanted < <(grep -v '^\s*\(#\|$\)' test-packages.txt)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "make test: missing packages ${missing[*]}, and this is not a Debian/Ubuntu system (no apt-get): install them with your package manager" >&2
  exit 2
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "make test: the tests need these Debian packages: ${missing[*]}" >&2
  echo "Install them, then run make test again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 2
fi

echo "make test: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# nginx-light's package starts a system nginx on :80; the tests run their own.
if printf '%s\n' "${missing[@]}" | grep -q '^nginx'; then
  "${as_root[@]}" systemctl stop nginx 2>/dev/null || "${as_root[@]}" service nginx stop 2>/dev/null || true
fi
