//go:build !linux

package watch

func eventsUnreliable(string) string { return "" }
