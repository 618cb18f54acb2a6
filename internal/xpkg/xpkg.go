// Package xpkg builds the provider's Crossplane package without Docker and without pulling any image: the runtime
// image is assembled from the static binary (a scratch image: the binary, CA certificates and a non-root user),
// and crossplane-runtime's package builder adds the package layer (package/crossplane.yaml and the CRDs), linting
// it as a Provider package. Every timestamp is the epoch and every list sorted, so the same inputs give the same
// digest.
package xpkg

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"sort"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/spf13/afero"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpxpkg "github.com/crossplane/crossplane-runtime/v2/pkg/xpkg"
	"github.com/crossplane/crossplane-runtime/v2/pkg/xpkg/parser"
	"github.com/crossplane/crossplane-runtime/v2/pkg/xpkg/parser/examples"
)

// What the runtime image holds, and how Crossplane runs it.
const (
	// BinaryPath is the provider binary in the image.
	BinaryPath = "/usr/local/bin/provider"
	// CAPath is the CA bundle, where Go's crypto/x509 looks on Linux.
	CAPath = "/etc/ssl/certs/ca-certificates.crt"
	// UID is the non-root user the provider runs as: Crossplane's Deployment runtime default.
	UID = 2000
	// GID is the group of that user.
	GID = 2000
	// MetricsPort is the port Crossplane's Deployment runtime expects the metrics on.
	MetricsPort = "8080/tcp"
)

type file struct {
	path string
	mode int64
	data []byte
}

// layer is a deterministic tar layer of files (and their parent directories).
func layer(files []file) (v1.Layer, error) {
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	epoch := time.Unix(0, 0)
	for _, f := range files {
		name := f.path[1:]
		for i := range name {
			if name[i] == '/' && !dirs[name[:i+1]] {
				dirs[name[:i+1]] = true
				if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name[:i+1], Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX}); err != nil {
					return nil, err
				}
			}
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: f.mode, Size: int64(len(f.data)), ModTime: epoch, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
}

// RuntimeImage is the image Crossplane runs the provider from, for one architecture: the static binary, the CA
// bundle, and /etc/passwd and /etc/group naming the non-root user, on nothing.
func RuntimeImage(binary, caBundle []byte, arch string) (v1.Image, error) {
	u, g := strconv.Itoa(UID), strconv.Itoa(GID)
	l, err := layer([]file{
		{path: BinaryPath, mode: 0o755, data: binary},
		{path: CAPath, mode: 0o644, data: caBundle},
		{path: "/etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/sbin/nologin\n" +
			"provider:x:" + u + ":" + g + ":provider:/home/provider:/sbin/nologin\n")},
		{path: "/etc/group", mode: 0o644, data: []byte("root:x:0:\nprovider:x:" + g + ":\n")},
	})
	if err != nil {
		return nil, errors.Wrap(err, "cannot build the runtime layer")
	}
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{
		Architecture: arch, OS: "linux",
		Config: v1.Config{
			Entrypoint: []string{BinaryPath}, User: u + ":" + g, WorkingDir: "/",
			ExposedPorts: map[string]struct{}{MetricsPort: {}},
			Env:          []string{"SSL_CERT_FILE=" + CAPath, "HOME=/home/provider"},
		},
	})
	if err != nil {
		return nil, errors.Wrap(err, "cannot set the runtime image config")
	}
	img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: "provider-stateful hack/xpkg: binary, CA bundle, non-root user"}})
	return img, errors.Wrap(err, "cannot add the runtime layer")
}

// Build adds the package layer from dir (crossplane.yaml and crds/) to base, linted as a Provider package.
func Build(ctx context.Context, dir string, base v1.Image) (v1.Image, error) {
	p, err := packageParser()
	if err != nil {
		return nil, err
	}
	fs := afero.NewOsFs()
	b := xpxpkg.New(
		parser.NewFsBackend(fs, parser.FsDir(dir), parser.FsFilters(parser.SkipDirs(), parser.SkipNotYAML(), parser.SkipEmpty())),
		parser.NewFsBackend(fs, parser.FsDir(dir+"/.no-examples")),
		p, examples.New(),
	)
	img, _, err := b.Build(ctx, xpxpkg.WithBase(base))
	return img, errors.Wrap(err, "cannot build the package")
}

// packageParser parses a package stream the way Crossplane's package manager does.
func packageParser() (*parser.PackageParser, error) {
	metaScheme, err := xpxpkg.BuildMetaScheme()
	if err != nil {
		return nil, err
	}
	objScheme, err := xpxpkg.BuildObjectScheme()
	if err != nil {
		return nil, err
	}
	return parser.New(metaScheme, objScheme), nil
}
