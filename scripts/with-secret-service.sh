#!/usr/bin/env bash
# Runs a command with a Secret Service on the D-Bus session bus, for the
# real-keyring tests (package secretstore, the secret commands). If one
# already answers, the command runs as is. Otherwise a throwaway
# gnome-keyring-daemon (secrets component only) is started under
# dbus-run-session, unlocked with a test password, and the command waits
# until org.freedesktop.secrets is owned on the bus: --unlock returns before
# the service is registered.
set -euo pipefail

owned() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}

if [ "${ONRAMP_INNER_SECRET_SERVICE:-}" = 1 ]; then
  unset ONRAMP_INNER_SECRET_SERVICE
  # Only the daemon gets the private HOME: the command keeps the user's, so
  # Go's module and build caches (under HOME by default) are reused.
  echo -n "onramp-test-password" | HOME="$ONRAMP_TEST_HOME" XDG_DATA_HOME="$ONRAMP_TEST_HOME/.local/share" \
    XDG_RUNTIME_DIR="$ONRAMP_TEST_HOME/run" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  for _ in $(seq 1 100); do owned && break; sleep 0.05; done
  if ! owned; then echo "with-secret-service: org.freedesktop.secrets never appeared on the bus" >&2; exit 1; fi
  # The bus daemon's pid, for the outer script: killed by a signal (a tmux
  # window closed), dbus-run-session leaves its daemon running.
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.DBus 2>/dev/null |
    awk '/uint32/ {print $2}' >"$ONRAMP_TEST_HOME/bus.pid" || true
  export ONRAMP_TEST_SECRET_SERVICE=1
  # A test that forgets ONRAMP_CONFIG_DIR writes here, not to the user's
  # own onramp profiles (os.UserConfigDir honours XDG_CONFIG_HOME).
  export XDG_CONFIG_HOME="$ONRAMP_TEST_HOME/.config"
  exec "$@"
fi

if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && owned; then
  export ONRAMP_TEST_SECRET_SERVICE=1
  exec "$@"
fi

for tool in dbus-run-session gnome-keyring-daemon dbus-send; do
  if ! command -v "$tool" >/dev/null; then
    echo "with-secret-service: $tool is missing (apt-get install gnome-keyring dbus-x11 libsecret-tools)" >&2
    exit 1
  fi
done
# A private HOME keeps the throwaway keyring away from the user's own
# (XDG_DATA_HOME is where gnome-keyring keeps its keyrings, XDG_RUNTIME_DIR
# its control socket).
ONRAMP_TEST_HOME=$(mktemp -d)
mkdir -m 0700 "$ONRAMP_TEST_HOME/run"
cleanup() {
  local pid
  pid=$(cat "$ONRAMP_TEST_HOME/bus.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$ONRAMP_TEST_HOME"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
export ONRAMP_TEST_HOME ONRAMP_INNER_SECRET_SERVICE=1
# Not exec: the trap removes the throwaway keyring afterwards.
dbus-run-session -- "$0" "$@"
