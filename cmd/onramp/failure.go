package main

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/keystore"
)

// causeFailure ends a command whose error carries a catalog cause with
// exit 1: the error, then the cause and its fix as every front end shows
// them (cause.Fprint). With asJSON the cause also goes to stdout as JSON. A file that
// would be overwritten is a usage error; an error without a cause is a
// plain failure.
func causeFailure(io *iostreams.IO, asJSON bool, err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	var exists *keystore.ExistsError
	if errors.As(err, &exists) {
		return usageErrorf("%v", err)
	}
	c, ok := cause.Of(err)
	if !ok {
		return failedErrorf("%v", err)
	}
	shown := *c
	if asJSON {
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{
			"ok":     false,
			"cause":  map[string]string{"id": string(shown.ID), "title": shown.Title, "fix": shown.Fix},
			"detail": err.Error(),
		})
	}
	return failedErrorf("%v\n%s", err, strings.TrimSuffix(cause.Show{Label: "Cause"}.Text(&shown), "\n"))
}
