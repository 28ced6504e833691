// Command onramp gets integrators connected to APIs secured with mutual TLS,
// API keys and signed-JWT OAuth, and says why a connection fails.
package main

import (
	"os"

	"github.com/onramp-cli/onramp/iostreams"
)

func main() {
	os.Exit(execute(newFactory(iostreams.System()), os.Args[1:]))
}
