package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	pkgv1 "github.com/crossplane/crossplane/apis/v2/pkg/v1"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
	"github.com/stateful-dev/provider-stateful/internal/xpkg"
)

// Names of what the stack installs with Crossplane.
const (
	// CrossplaneNamespace is where Crossplane, its package revisions and the provider's service account live.
	CrossplaneNamespace = "crossplane-system"
	// ProviderName is the Provider object; its package is the one `make xpkg` built.
	ProviderName = "provider-stateful"
	// FunctionName is the Function object the example compositions name.
	FunctionName = "function-patch-and-transform"
	// FunctionVersion is the function's version, hack/tools/function-pat's pin.
	FunctionVersion = "v0.10.7"
)

// startCrossplane runs Crossplane core and its RBAC manager (hack/build-crossplane.sh) against the stack, serves
// the provider's packages and function-patch-and-transform's from an OCI registry in this process, installs both
// with a Provider and a Function, activates the AWS kinds with a ManagedResourceActivationPolicy, and returns the
// provider binary taken out of the package for this machine's architecture.
func (s *Stack) startCrossplane(ctx context.Context, kube client.Client) (string, error) {
	o := s.opts
	tools := o.Crossplane
	dir := filepath.Join(o.Dir, "crossplane")
	if err := os.MkdirAll(filepath.Join(dir, "xpkg-cache"), 0o755); err != nil {
		return "", err
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	s.registry = &http.Server{Handler: registry.New(registry.Logger(log.New(io.Discard, "", 0))), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.registry.Serve(ln) }()
	s.Registry = ln.Addr().String()
	o.Log("serving an OCI registry on %s with the provider's packages (%s) and %s's", s.Registry, strings.Join(o.Packages, ", "), FunctionName)
	providerRef, err := name.ParseReference(s.Registry + "/stateful-dev/provider-stateful:local")
	if err != nil {
		return "", err
	}
	if err := xpkg.Push(providerRef, o.Packages); err != nil {
		return "", err
	}
	fnRef, err := pushFunction(ctx, s.Registry)
	if err != nil {
		return "", err
	}
	bin, err := providerBinary(o.Packages, filepath.Join(dir, "provider"))
	if err != nil {
		return "", err
	}

	for _, obj := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: CrossplaneNamespace}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: CrossplaneNamespace, Name: "crossplane"}},
	} {
		if err := kube.Create(ctx, obj); err != nil && !kerrors.IsAlreadyExists(err) {
			return "", err
		}
	}
	// Options go by environment: the CLI parser spells --crds-path and --tls-ca-secret-name differently.
	env := []string{
		"CRDS_PATH=" + filepath.Join(tools, "crds"), "ENABLE_WEBHOOKS=false",
		"TLS_CA_SECRET_NAME=crossplane-root-ca", "TLS_CLIENT_SECRET_NAME=crossplane-tls-client",
	}
	o.Log("crossplane core init (its CRDs, the CA and the client certificate for functions)")
	core := filepath.Join(tools, "crossplane")
	if err := s.run("crossplane-init", core, env, "core", "init"); err != nil {
		// The first run always fails: the CRDs it has just created are not in its REST mapping yet.
		if err := s.run("crossplane-init", core, env, "core", "init"); err != nil {
			return "", err
		}
	}
	certs, err := newRuntimeCerts(ctx, kube, dir)
	if err != nil {
		return "", err
	}
	s.runtime = &externalRuntime{kube: kube, certs: certs}

	port, err := harness.FreePort()
	if err != nil {
		return "", err
	}
	s.runtime.functionAddr = fmt.Sprintf("127.0.0.1:%d", port)
	o.Log("starting %s on %s (mTLS, server certificate signed by crossplane-root-ca)", FunctionName, s.runtime.functionAddr)
	if _, err := s.startEnv(FunctionName, filepath.Join(tools, FunctionName), nil,
		"--address="+s.runtime.functionAddr, "--tls-certs-dir="+certs.serverDir); err != nil {
		return "", err
	}
	o.Log("starting crossplane core (package runtime External) and its RBAC manager (logs: %s/crossplane{,-rbac}.log)", o.Dir)
	if _, err := s.startEnv("crossplane", core, append(env, "PACKAGE_RUNTIME=External", "TLS_CLIENT_CERTS_DIR="+certs.clientDir,
		"XPKG_CACHE_DIR="+filepath.Join(dir, "xpkg-cache")), "core", "start", "--metrics-port=0", "--health-probe-port=0"); err != nil {
		return "", err
	}
	if _, err := s.startEnv("crossplane-rbac", core, nil, "rbac", "start"); err != nil {
		return "", err
	}
	rctx, cancel := context.WithCancel(context.Background())
	s.stopRuntime = cancel
	go s.runtime.run(rctx, func(err error) { o.Log("package runtime: %v", err) })

	root := harness.RepoRoot()
	for _, f := range []string{
		filepath.Join(root, "cluster", "runtime", "deploymentruntimeconfig.yaml"),
		filepath.Join(root, "cluster", "rbac", "provider.yaml"),
	} {
		if out, err := s.KubectlRun("apply", "-f", f); err != nil {
			return "", fmt.Errorf("kubectl apply -f %s: %w\n%s", f, err, out)
		}
	}
	provider := &pkgv1.Provider{ObjectMeta: metav1.ObjectMeta{Name: ProviderName}}
	provider.Spec.Package = providerRef.String()
	provider.Spec.RuntimeConfigReference = &pkgv1.RuntimeConfigReference{Name: ProviderName}
	fn := &pkgv1.Function{ObjectMeta: metav1.ObjectMeta{Name: FunctionName}}
	fn.Spec.Package = fnRef.String()
	for _, obj := range []client.Object{provider, fn} {
		if err := createRetrying(ctx, kube, obj); err != nil {
			return "", err
		}
	}
	o.Log("installing %s and %s from %s", ProviderName, FunctionName, s.Registry)
	if err := waitFor(ctx, 3*time.Minute, "the Provider and the Function to be Installed and Healthy", func() (bool, error) {
		return s.healthy(ctx, kube, provider, fn)
	}); err != nil {
		return "", err
	}
	o.Log("activating the AWS and GCP kinds (examples/crossplane/activation.yaml; safe-start keeps them inactive until then)")
	if out, err := s.KubectlRun("apply", "-f", filepath.Join(root, "examples", "crossplane", "activation.yaml")); err != nil {
		return "", fmt.Errorf("activation: %w\n%s", err, out)
	}
	for _, crd := range []string{
		"buckets.s3.aws.stateful.dev", "queues.sqs.aws.stateful.dev", "dbinstances.rds.aws.stateful.dev", "tables.dynamodb.aws.stateful.dev",
		"topics.pubsub.gcp.stateful.dev", "subscriptions.pubsub.gcp.stateful.dev", "tables.bigtable.gcp.stateful.dev", "buckets.storage.gcp.stateful.dev",
	} {
		if err := waitFor(ctx, 60*time.Second, "the activated kind "+crd+" to be served", func() (bool, error) {
			c := &extv1.CustomResourceDefinition{}
			if err := kube.Get(ctx, client.ObjectKey{Name: crd}, c); err != nil {
				return false, client.IgnoreNotFound(err)
			}
			for _, cond := range c.Status.Conditions {
				if cond.Type == extv1.Established && cond.Status == extv1.ConditionTrue {
					return true, nil
				}
			}
			return false, nil
		}); err != nil {
			return "", err
		}
	}
	return bin, s.providerIdentity(ctx, kube)
}

// providerIdentity waits until Crossplane's RBAC manager has bound the provider's service account to what it
// grants a provider, and writes the provider a kubeconfig with that service account's token: the provider runs
// with exactly what it would have in a cluster, never the stack's admin credentials.
func (s *Stack) providerIdentity(ctx context.Context, kube client.Client) error {
	sa := "system:serviceaccount:" + CrossplaneNamespace + ":" + ProviderName
	if err := waitFor(ctx, 60*time.Second, "the RBAC manager's grants to "+sa, func() (bool, error) {
		for _, ra := range []authzv1.ResourceAttributes{
			{Verb: "watch", Group: "s3.aws.stateful.dev", Resource: "buckets"},
			{Verb: "update", Group: "dynamodb.aws.stateful.dev", Resource: "tables", Subresource: "status"},
			{Verb: "watch", Group: "stateful.dev", Resource: "clusterproviderconfigs"},
		} {
			sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
				User: sa, Groups: []string{"system:serviceaccounts"}, ResourceAttributes: &ra,
			}}
			if err := kube.Create(ctx, sar); err != nil {
				return false, err
			}
			if !sar.Status.Allowed {
				return false, nil
			}
		}
		return true, nil
	}); err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(s.Config)
	if err != nil {
		return err
	}
	tr, err := cs.CoreV1().ServiceAccounts(CrossplaneNamespace).CreateToken(ctx, ProviderName,
		&authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](7 * 24 * 3600)}}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("cannot request the provider's service account token: %w", err)
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["local"] = &clientcmdapi.Cluster{Server: s.Config.Host, CertificateAuthorityData: s.Config.CAData}
	kc.AuthInfos[ProviderName] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	kc.Contexts["local"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: ProviderName, Namespace: CrossplaneNamespace}
	kc.CurrentContext = "local"
	s.providerKubeconfig = filepath.Join(s.opts.Dir, "provider-kubeconfig")
	return clientcmd.WriteToFile(*kc, s.providerKubeconfig)
}

// healthy reports whether every package is Installed and Healthy.
func (s *Stack) healthy(ctx context.Context, kube client.Client, pkgs ...pkgv1.Package) (bool, error) {
	for _, p := range pkgs {
		if err := kube.Get(ctx, client.ObjectKeyFromObject(p), p); err != nil {
			return false, err
		}
		if p.GetCondition(pkgv1.TypeInstalled).Status != corev1.ConditionTrue || p.GetCondition(pkgv1.TypeHealthy).Status != corev1.ConditionTrue {
			return false, nil
		}
	}
	return true, nil
}

// pushFunction builds function-patch-and-transform's package from its module source (the version the tools
// module pins) on an empty base — the External runtime runs the binary hack/build-crossplane.sh built, so the
// package needs no runtime image — and pushes it to the registry.
func pushFunction(ctx context.Context, reg string) (name.Reference, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "github.com/crossplane-contrib/function-patch-and-transform")
	cmd.Dir = filepath.Join(harness.RepoRoot(), "hack", "tools", "function-pat")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("cannot find %s's module source: %w", FunctionName, err)
	}
	img, err := xpkg.Build(ctx, filepath.Join(strings.TrimSpace(string(out)), "package"), empty.Image)
	if err != nil {
		return nil, err
	}
	ref, err := name.ParseReference(reg + "/crossplane-contrib/" + FunctionName + ":" + FunctionVersion)
	if err != nil {
		return nil, err
	}
	return ref, remote.Write(ref, img)
}

// providerBinary writes the provider binary of the package for this machine's architecture to path.
func providerBinary(pkgs []string, path string) (string, error) {
	for _, f := range pkgs {
		img, err := tarball.ImageFromPath(f, nil)
		if err != nil {
			return "", err
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return "", err
		}
		if cf.Architecture != runtime.GOARCH {
			continue
		}
		b, err := xpkg.ReadFile(img, xpkg.BinaryPath)
		if err != nil {
			return "", err
		}
		return path, os.WriteFile(path, b, 0o755)
	}
	return "", fmt.Errorf("no package for %s among %v: run `make xpkg`", runtime.GOARCH, pkgs)
}

// createRetrying creates obj, retrying while its kind is not served yet (Crossplane's CRDs are new).
func createRetrying(ctx context.Context, kube client.Client, obj client.Object) error {
	return waitFor(ctx, 30*time.Second, "creating "+obj.GetName(), func() (bool, error) {
		err := kube.Create(ctx, obj)
		switch {
		case err == nil, kerrors.IsAlreadyExists(err):
			return true, nil
		case strings.Contains(err.Error(), "no matches for kind"):
			return false, nil
		}
		return false, err
	})
}

// run runs a command to completion with its output in Dir/logName.log.
func (s *Stack) run(logName, bin string, env []string, args ...string) error {
	cmd, err := s.command(logName, bin, env, args...)
	if err != nil {
		return err
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w (see %s)", filepath.Base(bin), strings.Join(args, " "), err, filepath.Join(s.opts.Dir, logName+".log"))
	}
	return nil
}

// waitFor polls cond every 250 ms until it holds, fails, or timeout passes.
func waitFor(ctx context.Context, timeout time.Duration, what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.Join(fmt.Errorf("timed out waiting for %s", what), last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// ApplyCompositions applies the example XRDs (examples/compositions), waits until Crossplane serves their XR kinds,
// then applies the compositions and an XR of each.
func (s *Stack) ApplyCompositions() error {
	dir := filepath.Join(harness.RepoRoot(), "examples", "compositions")
	var defs, rest []string
	for _, x := range []string{"app-storage", "postgres"} {
		defs = append(defs, "-f", filepath.Join(dir, x, "definition.yaml"))
		rest = append(rest, "-f", filepath.Join(dir, x, "composition.yaml"), "-f", filepath.Join(dir, x, "xr.yaml"))
	}
	for _, args := range [][]string{
		append([]string{"apply"}, defs...),
		{"wait", "--for=condition=Established", "--timeout=60s", "xrd", "--all"},
		append([]string{"apply"}, rest...),
	} {
		if out, err := s.KubectlRun(args...); err != nil {
			return fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}
