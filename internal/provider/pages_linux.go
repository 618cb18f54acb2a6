package provider

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// releaseStartupPages asks the kernel to reclaim the pages of the provider's own executable — its code and
// read-only data — mapped so far.
//
// NOTE: package initialisation (over 600 packages: SDK endpoint tables, protobuf descriptors, the scheme) and the
// manager's setup touch code all over the binary once, and the kernel maps each touched page with its neighbours.
// About 50 MiB of the 117 MiB binary stayed resident for the process's life, most of it never run again
// (docs/benchmarks/BENCHMARKS.md: idle RSS 71 → 45 MiB, the cold burst's peak 127 → 108). MADV_PAGEOUT changes
// no byte the process reads — these mappings are read-only copies of the file — and whatever runs later is
// faulted back in. Writable mappings (data, heap) are never touched.
func releaseStartupPages() error {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return errors.Wrap(err, "cannot find the executable")
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return errors.Wrap(err, "cannot read the process's mappings")
	}
	defer f.Close() //nolint:errcheck // Read-only.
	for _, r := range readOnlyMappings(f, exe) {
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, r[0], r[1]-r[0], unix.MADV_PAGEOUT); errno != 0 {
			return errors.Wrap(errno, "madvise")
		}
	}
	return nil
}

// readOnlyMappings returns the [start, end) ranges of /proc/<pid>/maps lines that map file path read-only and
// private: code (r-xp) and read-only data (r--p).
func readOnlyMappings(maps io.Reader, path string) [][2]uintptr {
	var out [][2]uintptr
	s := bufio.NewScanner(maps)
	for s.Scan() {
		// start-end perms offset dev inode path
		f := strings.Fields(s.Text())
		if len(f) != 6 || f[5] != path || (f[1] != "r-xp" && f[1] != "r--p") {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 == nil && err2 == nil && end > start {
			out = append(out, [2]uintptr{uintptr(start), uintptr(end)})
		}
	}
	return out
}
