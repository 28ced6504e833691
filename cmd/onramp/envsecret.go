package main

import (
	"os"
	"regexp"
	"sync"
)

// envName is what an environment variable's name looks like; anything
// else given to a --*-env flag is likely the secret itself.
var envName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

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
	if !envName().MatchString(name) {
		// Not echoed: it is probably the secret, pasted where its
		// variable's name belongs.
		return nil, usageErrorf("%s takes the NAME of an environment variable (letters, digits and _), and what was given is not one. If it was the secret itself, it is now in your shell history: put it in a variable (read -rs VAR; export VAR) and give %s VAR", flag, flag)
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
