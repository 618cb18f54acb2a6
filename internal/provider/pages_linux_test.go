package provider

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadOnlyMappings(t *testing.T) {
	maps := strings.Join([]string{
		"00400000-029e9000 r-xp 00000000 08:01 1234 /opt/provider",
		"029e9000-054cb000 r--p 025e9000 08:01 1234 /opt/provider",
		"054cb000-055bb000 rw-p 050cb000 08:01 1234 /opt/provider",
		"055bb000-0761e000 rw-p 00000000 00:00 0",
		"7f0000000000-7f0000001000 r--p 00000000 08:01 99 /etc/ld.so.cache",
		"7f0000002000-7f0000003000 r-xp 00000000 08:01 1235 /opt/provider (deleted)",
		"7ffd0000000-7ffd0021000 rw-p 00000000 00:00 0 [stack]",
	}, "\n")
	want := [][2]uintptr{{0x400000, 0x29e9000}, {0x29e9000, 0x54cb000}}
	if diff := cmp.Diff(want, readOnlyMappings(strings.NewReader(maps), "/opt/provider")); diff != "" {
		t.Errorf("Only the executable's own code and read-only data are released, never a writable mapping, another file or a replaced binary: -want +got:\n%s", diff)
	}
}

// rssFileKiB is the process's resident file-backed memory.
func rssFileKiB(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "RssFile:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

func TestReleaseStartupPages(t *testing.T) {
	before := rssFileKiB(t)
	if err := releaseStartupPages(); err != nil {
		t.Fatal(err)
	}
	// The test binary keeps running on the pages it faults back in: what remains is what it uses.
	if after := rssFileKiB(t); after >= before {
		t.Errorf("resident file-backed memory went from %d to %d KiB: the binary's pages were not released", before, after)
	}
}
