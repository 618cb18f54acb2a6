package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"k8s.io/client-go/kubernetes"
)

// A Sample is a set of Prometheus counters, keyed "name{label=value,...}" with the labels in the order the
// exposition lists them (stable within one process).
type Sample map[string]float64

// Sub is s minus an earlier sample: what happened in between.
func (s Sample) Sub(before Sample) Sample {
	out := Sample{}
	for k, v := range s {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// Sum adds the counters named name whose labels include every pair in match ("verb=update").
func (s Sample) Sum(name string, match ...string) float64 {
	t := 0.0
	for k, v := range s {
		if !strings.HasPrefix(k, name+"{") && k != name {
			continue
		}
		ok := true
		for _, m := range match {
			if !labelMatches(k, m) {
				ok = false
				break
			}
		}
		if ok {
			t += v
		}
	}
	return t
}

// labelMatches reports whether series k has label l=v; a value ending in * matches by prefix, one starting with
// ! matches any other value.
func labelMatches(k, m string) bool {
	name, want, _ := strings.Cut(m, "=")
	got, ok := label(k, name)
	switch {
	case strings.HasPrefix(want, "!"):
		return got != want[1:]
	case strings.HasSuffix(want, "*"):
		return ok && strings.HasPrefix(got, want[:len(want)-1])
	default:
		return ok && got == want
	}
}

var labelRE = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)

func label(series, name string) (string, bool) {
	_, labels, ok := strings.Cut(series, "{")
	if !ok {
		return "", false
	}
	for _, m := range labelRE.FindAllStringSubmatch(labels, -1) {
		if m[1] == name {
			return m[2], true
		}
	}
	return "", false
}

// parseMetrics reads the Prometheus text exposition: every sample line of the counters wanted (by name prefix).
func parseMetrics(r io.Reader, prefixes ...string) (Sample, error) {
	out := Sample{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		wanted := false
		for _, p := range prefixes {
			if strings.HasPrefix(line, p) {
				wanted = true
				break
			}
		}
		if !wanted {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		out[line[:i]] += v
	}
	return out, sc.Err()
}

// apiserverMetrics scrapes kube-apiserver's /metrics: requests by verb and resource, and etcd requests.
func apiserverMetrics(ctx context.Context, kc kubernetes.Interface) (Sample, error) {
	b, err := kc.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot scrape kube-apiserver metrics: %w", err)
	}
	return parseMetrics(strings.NewReader(string(b)), "apiserver_request_total", "etcd_requests_total", "apiserver_request_duration_seconds_sum")
}

// By sums the counters named name by the values of labels ("verb", "resource"), largest first: where a phase's
// requests went.
func (s Sample) By(name string, labels ...string) []Share {
	sums := map[string]float64{}
	for k, v := range s {
		if !strings.HasPrefix(k, name+"{") {
			continue
		}
		var key []string
		for _, l := range labels {
			if got, _ := label(k, l); got != "" {
				key = append(key, got)
			}
		}
		sums[strings.Join(key, " ")] += v
	}
	out := make([]Share, 0, len(sums))
	for k, v := range sums {
		out = append(out, Share{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value > out[j].Value })
	return out
}

// A Share is one group of By.
type Share struct {
	Key   string
	Value float64
}

// providerMetrics scrapes the provider's metrics endpoint.
func providerMetrics(addr string) (Sample, error) {
	resp, err := http.Get("http://" + addr + "/metrics") //nolint:noctx // A loopback address the stack chose.
	if err != nil {
		return nil, fmt.Errorf("cannot scrape the provider's metrics: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	return parseMetrics(resp.Body, "stateful_kube_requests_total", "stateful_cloud_requests_total",
		"controller_runtime_reconcile_total", "rest_client_requests_total", "go_memstats_heap_inuse_bytes")
}

// A ProcStat is a process's CPU time and memory, from /proc.
type ProcStat struct {
	CPUSeconds float64
	RSSMiB     float64
	PeakMiB    float64 // VmHWM: the resident peak since the process started
	AnonMiB    float64 // RssAnon: heap, stacks, the Go runtime's own
	FileMiB    float64 // RssFile: pages of the binary (and other files) read into memory
}

// clockTicks is USER_HZ, which Linux fixes at 100 for /proc/<pid>/stat.
const clockTicks = 100

func procStat(pid int) (ProcStat, error) {
	var st ProcStat
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return st, err
	}
	// The command name is in parentheses and may hold spaces: fields count from the last ')'.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	st.CPUSeconds = (utime + stime) / clockTicks
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return st, err
	}
	for _, l := range strings.Split(string(s), "\n") {
		k, v, _ := strings.Cut(l, ":")
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch k {
		case "VmRSS":
			st.RSSMiB = kb / 1024
		case "VmHWM":
			st.PeakMiB = kb / 1024
		case "RssAnon":
			st.AnonMiB = kb / 1024
		case "RssFile":
			st.FileMiB = kb / 1024
		}
	}
	return st, nil
}

// childCPU sums the CPU seconds of this process's descendants by command name (kube-apiserver, etcd,
// moto_server, ...): where the machine's time went.
func childCPU() map[string]float64 {
	parent := map[int]int{}
	comm := map[int]string{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		b, err := os.ReadFile(d + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		open, closeP := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || closeP < 0 {
			continue
		}
		f := strings.Fields(s[closeP+2:])
		ppid, _ := strconv.Atoi(f[1])
		parent[pid], comm[pid] = ppid, s[open+1:closeP]
	}
	self := os.Getpid()
	out := map[string]float64{}
	// The bench itself (its recording proxy, its watch, its applies): the measurement's own share of the CPU.
	if st, err := procStat(self); err == nil {
		out["bench"] = st.CPUSeconds
	}
	for pid := range comm {
		for p := parent[pid]; p > 1; p = parent[p] {
			if p == self {
				if st, err := procStat(pid); err == nil {
					out[comm[pid]] += st.CPUSeconds
				}
				break
			}
		}
	}
	return out
}
