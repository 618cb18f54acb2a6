package xpkg

import (
	"archive/tar"
	"context"
	"io"
	"sort"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	admv1 "k8s.io/api/admissionregistration/v1"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpxpkg "github.com/crossplane/crossplane-runtime/v2/pkg/xpkg"
	pkgmetav1 "github.com/crossplane/crossplane/apis/v2/pkg/meta/v1"
)

// Contents is what a built package holds, as Crossplane's package manager reads it.
type Contents struct {
	Provider *pkgmetav1.Provider
	// CRDs are the names of the CRDs in the package, sorted.
	CRDs []string
	// Webhooks are the names of the webhooks of the package's ValidatingWebhookConfiguration (a provider package
	// may carry one).
	Webhooks []string
	// Config is the runtime image's config.
	Config v1.Config
	// Architecture of the runtime image.
	Architecture string
}

// Inspect parses img's package layer the way Crossplane does and lints it as a Provider package (exactly one
// Provider meta, every other object a CRD or a webhook configuration, the Crossplane version constraint valid).
func Inspect(ctx context.Context, img v1.Image) (*Contents, error) {
	rc, err := xpxpkg.ExtractPackageYAML(img)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }()
	p, err := packageParser()
	if err != nil {
		return nil, err
	}
	pkg, err := p.Parse(ctx, rc)
	if err != nil {
		return nil, errors.Wrap(err, "cannot parse the package")
	}
	if err := xpxpkg.NewProviderLinter().Lint(pkg); err != nil {
		return nil, errors.Wrap(err, "the package is not a valid Provider package")
	}
	c := &Contents{}
	if p, ok := pkg.GetMeta()[0].(*pkgmetav1.Provider); ok {
		c.Provider = p
	} else {
		return nil, errors.New("the package meta is not a meta.pkg.crossplane.io/v1 Provider")
	}
	for _, o := range pkg.GetObjects() {
		switch t := o.(type) {
		case *extv1.CustomResourceDefinition:
			c.CRDs = append(c.CRDs, t.GetName())
		case *admv1.ValidatingWebhookConfiguration:
			for _, w := range t.Webhooks {
				c.Webhooks = append(c.Webhooks, w.Name)
			}
		}
	}
	sort.Strings(c.CRDs)
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, errors.Wrap(err, "cannot read the image config")
	}
	c.Config, c.Architecture = cf.Config, cf.Architecture
	return c, nil
}

// ReadFile returns the content of path in img's flattened filesystem.
func ReadFile(img v1.Image, path string) ([]byte, error) {
	rc := mutate.Extract(img)
	defer func() { _ = rc.Close() }()
	t := tar.NewReader(rc)
	for {
		h, err := t.Next()
		if err == io.EOF {
			return nil, errors.Errorf("%s is not in the image", path)
		}
		if err != nil {
			return nil, errors.Wrap(err, "cannot read the image")
		}
		if "/"+h.Name == path {
			return io.ReadAll(t)
		}
	}
}
