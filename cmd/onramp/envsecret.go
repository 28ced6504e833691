package main

import "os"

// envSecret reads the secret in the environment variable a flag names:
// secrets are never flag values, which ps and shell history would show.
// Without the flag (given false) there is no secret and no error; a flag
// given with no name, or naming an unset or empty variable, is a usage
// error, so an asked-for passphrase is never silently left out.
func envSecret(flag, name string, given bool) ([]byte, error) {
	if !given {
		return nil, nil
	}
	if name == "" {
		return nil, usageErrorf("%s needs the NAME of an environment variable that holds the secret", flag)
	}
	v, ok := os.LookupEnv(name)
	if !ok {
		return nil, usageErrorf("%s %s: the environment variable %s is not set", flag, name, name)
	}
	if v == "" {
		return nil, usageErrorf("%s %s: the environment variable %s is empty", flag, name, name)
	}
	return []byte(v), nil
}
