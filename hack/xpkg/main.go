// Command xpkg builds, checks and pushes the provider's Crossplane packages without Docker (see internal/xpkg).
//
//	go run ./hack/xpkg build -version v0.1.0 -out _output/xpkg -bin amd64=_output/linux_amd64/provider -bin arm64=...
//	go run ./hack/xpkg check _output/xpkg/provider-stateful-v0.1.0-amd64.xpkg
//	go run ./hack/xpkg push -ref 127.0.0.1:5000/provider-stateful:v0.1.0 _output/xpkg/*.xpkg
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/stateful-dev/provider-stateful/internal/xpkg"
)

type bins map[string]string

func (b bins) String() string { return fmt.Sprint(map[string]string(b)) }
func (b bins) Set(s string) error {
	arch, path, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("want ARCH=PATH, got %q", s)
	}
	b[arch] = path
	return nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "xpkg: usage: xpkg build|check|push ...")
		os.Exit(1)
	}
	ctx := context.Background()
	switch os.Args[1] {
	case "build":
		fs := flag.NewFlagSet("build", flag.ExitOnError)
		b := bins{}
		fs.Var(b, "bin", "ARCH=PATH of a static linux binary (repeatable)")
		version := fs.String("version", "v0.0.0-dev", "package version (the image tag)")
		out := fs.String("out", "_output/xpkg", "output folder")
		pkgDir := fs.String("package", "package", "package folder (crossplane.yaml, crds/)")
		ca := fs.String("ca", "/etc/ssl/certs/ca-certificates.crt", "CA bundle to ship")
		_ = fs.Parse(os.Args[2:])
		fail(build(ctx, b, *version, *out, *pkgDir, *ca))
	case "check":
		for _, f := range os.Args[2:] {
			fail(check(ctx, f))
		}
	case "push":
		fs := flag.NewFlagSet("push", flag.ExitOnError)
		ref := fs.String("ref", "", "where to push the index, e.g. 127.0.0.1:5000/provider-stateful:v0.1.0")
		_ = fs.Parse(os.Args[2:])
		fail(push(*ref, fs.Args()))
	default:
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "xpkg:", err)
		os.Exit(1)
	}
}

func build(ctx context.Context, b bins, version, out, pkgDir, caPath string) error {
	ca, err := os.ReadFile(caPath)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	tag, err := name.NewTag("provider-stateful:" + version)
	if err != nil {
		return err
	}
	for arch, path := range b {
		bin, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		base, err := xpkg.RuntimeImage(bin, ca, arch)
		if err != nil {
			return err
		}
		img, err := xpkg.Build(ctx, pkgDir, base)
		if err != nil {
			return err
		}
		f := filepath.Join(out, fmt.Sprintf("provider-stateful-%s-%s.xpkg", version, arch))
		if err := tarball.WriteToFile(f, tag, img); err != nil {
			return err
		}
		d, _ := img.Digest()
		fmt.Printf("%s %s\n", f, d)
	}
	return nil
}

// check reads a built package as Crossplane would, and runs its binary when it is for this machine.
func check(ctx context.Context, f string) error {
	img, err := tarball.ImageFromPath(f, nil)
	if err != nil {
		return err
	}
	c, err := xpkg.Inspect(ctx, img)
	if err != nil {
		return fmt.Errorf("%s: %w", f, err)
	}
	if u := c.Config.User; u == "" || strings.HasPrefix(u, "0:") || u == "0" || u == "root" {
		return fmt.Errorf("%s: the runtime runs as root (%q)", f, u)
	}
	if _, ok := c.Config.ExposedPorts[xpkg.MetricsPort]; !ok {
		return fmt.Errorf("%s: the metrics port %s is not exposed", f, xpkg.MetricsPort)
	}
	fmt.Printf("%s: Provider %s, %d CRDs, webhooks %v, %s, user %s\n", f, c.Provider.GetName(), len(c.CRDs), c.Webhooks, c.Architecture, c.Config.User)
	if c.Architecture != runtime.GOARCH {
		return nil
	}
	bin, err := xpkg.ReadFile(img, xpkg.BinaryPath)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp("", "provider-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(bin); err != nil {
		return err
	}
	_ = tmp.Close()
	if err := os.Chmod(tmp.Name(), 0o700); err != nil { //nolint:gosec // An executable, which this process runs: the owner's only.
		return err
	}
	var outb bytes.Buffer
	cmd := exec.CommandContext(ctx, tmp.Name(), "--help")
	cmd.Stdout, cmd.Stderr = &outb, &outb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: the packaged binary does not start (--help): %w\n%s", f, err, outb.String())
	}
	if !strings.Contains(outb.String(), "-max-reconcile-rate") {
		return fmt.Errorf("%s: the packaged binary does not start (--help): its help has no -max-reconcile-rate\n%s", f, outb.String())
	}
	fmt.Printf("%s: the packaged binary starts (--help)\n", f)
	return nil
}

// push pushes each package and an index of them to ref.
func push(ref string, files []string) error {
	r, err := name.ParseReference(ref)
	if err != nil {
		return err
	}
	return xpkg.Push(r, files)
}
