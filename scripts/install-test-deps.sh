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
# Some packages start a system daemon (nginx on :80, tinyproxy on :8888,
# prometheus on :9090, blackbox_exporter on :9115); the tests and benchmarks
# start their own on free loopback ports, so stop the system ones.
for svc in nginx tinyproxy prometheus prometheus-blackbox-exporter apache2 haproxy; do
  if printf '%s\n' "${missing[@]}" | grep -qx "${svc}\(-light\)\?"; then
    "${as_root[@]}" systemctl stop "$svc" 2>/dev/null || "${as_root[@]}" service "$svc" stop 2>/dev/null || true
  fi
done
