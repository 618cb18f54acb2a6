// Package version holds the provider's build information, stamped at link time.
package version

import "runtime/debug"

// Version is the provider's version, set with -ldflags "-X .../internal/version.Version=...".
var Version = "v0.0.0-dev"

// Info returns the version and, when the binary was built from a checkout, the VCS revision.
func Info() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Version
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			return Version + "+" + s.Value
		}
	}
	return Version + " (" + bi.GoVersion + ")"
}
