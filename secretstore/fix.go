package secretstore

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

// UnavailableFix says how to get a working keyring on this machine, or how
// to do without one.
func UnavailableFix() string {
	const without = " Without a keyring: keep secrets in an encrypted file instead (run onramp on a terminal and accept its offer, or pass --store file or set ONRAMP_STORE=file; onramp remembers the choice), or pass them with --api-key-env VAR in CI."
	switch runtime.GOOS {
	case "darwin":
		return "Unlock the login keychain (Keychain Access, or `security unlock-keychain login.keychain`) and answer the access prompt." + without
	case "windows":
		return "Check that Windows Credential Manager is running for this user (a service account may have none)." + without
	}
	if isWSL() {
		return "WSL has no Secret Service by default: install gnome-keyring and start it in this session " +
			"(`dbus-run-session -- bash`, then `echo -n PASSWORD | gnome-keyring-daemon --unlock --components=secrets`)." + without
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return "There is no D-Bus session (an SSH login, a container or a service): start one with `dbus-run-session -- $SHELL` " +
			"and a Secret Service inside it (`echo -n PASSWORD | gnome-keyring-daemon --unlock --components=secrets`)." + without
	}
	return "Start and unlock a Secret Service (GNOME Keyring or KeePassXC with Secret Service enabled); " +
		"a locked collection must be unlocked in the desktop session." + without
}

// LockedFix says how to unlock the keyring that refused to open.
func LockedFix() string {
	if runtime.GOOS == "darwin" {
		return "Unlock the login keychain: `security unlock-keychain login.keychain`, or open Keychain Access."
	}
	return "The keyring is locked (or has no default collection yet) and no unlock prompt can be shown here: " +
		"log in to the desktop once, or unlock it in this session with `echo -n PASSWORD | gnome-keyring-daemon --unlock --replace --components=secrets`. " +
		"Or keep secrets in an encrypted file instead: --store file or ONRAMP_STORE=file (onramp offers it on a terminal)."
}

// NoPassphraseFix says how to give the file store its passphrase.
func NoPassphraseFix() string {
	return "Run the command on a terminal to be asked for the passphrase, or set " + PassphraseEnv +
		" (from your CI's secret settings, never a command-line argument). To use the OS keyring instead, pass --store keyring."
}

func isWSL() bool {
	if os.Getenv("WSL_DISTRO_NAME") != "" {
		return true
	}
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	return err == nil && strings.Contains(strings.ToLower(string(b)), "microsoft")
}

func missingFix(item string) string {
	profile, name, ok := strings.Cut(item, "/")
	if !ok {
		return "Store it: `onramp secret set NAME --profile P`."
	}
	return fmt.Sprintf("Store it: `onramp secret set %s --profile %s` (the value is read from stdin or a masked prompt).", name, profile)
}
