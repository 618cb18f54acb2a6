//go:build !linux

package provider

// releaseStartupPages does nothing off Linux, where the provider does not run in production.
func releaseStartupPages() error { return nil }
