// Command floor links glamour and does nothing else: the start-up floor of
// any program that renders markdown with glamour, measured beside dslearn.
package main

import (
	"os"

	_ "github.com/charmbracelet/glamour"
)

func main() { os.Stdout.WriteString("") }
