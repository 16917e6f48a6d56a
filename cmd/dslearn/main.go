// Command dslearn is a command-line course on the algorithms distributed
// systems are built on. Run it with no arguments to begin.
package main

import (
	"os"

	"github.com/dslearn/dslearn/internal/cli"
)

func main() { os.Exit(cli.Main()) }
