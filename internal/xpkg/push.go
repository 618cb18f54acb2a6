package xpkg

import (
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Push pushes each package file (one per architecture, as `make xpkg` writes them) by digest, then an index of
// them at ref: what a registry serves when one tag names the package for every architecture.
func Push(ref name.Reference, files []string, opts ...remote.Option) error {
	idx := v1.ImageIndex(empty.Index)
	for _, f := range files {
		img, err := tarball.ImageFromPath(f, nil)
		if err != nil {
			return errors.Wrapf(err, "cannot read %s", f)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return errors.Wrapf(err, "cannot read the config of %s", f)
		}
		d, err := img.Digest()
		if err != nil {
			return err
		}
		if err := remote.Write(ref.Context().Digest(d.String()), img, opts...); err != nil {
			return errors.Wrapf(err, "cannot push %s", f)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: cf.Architecture}},
		})
	}
	return errors.Wrapf(remote.WriteIndex(ref, idx, opts...), "cannot push the index %s", ref)
}
