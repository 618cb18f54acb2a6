package stack

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	pkgv1 "github.com/crossplane/crossplane/apis/v2/pkg/v1"
	pkgv1beta1 "github.com/crossplane/crossplane/apis/v2/pkg/v1beta1"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// externalRuntime does, for Crossplane core started with PACKAGE_RUNTIME=External, what its Deployment runtime
// does in a cluster — the only part of Crossplane the local stack stands in for, because there is no kubelet to
// run a pod:
//   - each active revision gets the TLS server Secret the revision names, and its status says so (the core waits
//     for it before it establishes the package's objects);
//   - a FunctionRevision's status.endpoint is where the function listens (here a process on loopback);
//   - a ProviderRevision gets a Deployment of its package image with the service account the
//     DeploymentRuntimeConfig names — nothing runs it here, but Crossplane's RBAC manager binds its grants to the
//     service accounts of the Deployments a revision controls, exactly as in a cluster;
//   - both get RuntimeHealthy, which the runtime reports once its pods are up (the processes are).
type externalRuntime struct {
	kube         client.Client
	certs        *runtimeCerts
	functionAddr string
	// made are the objects created so far: the loop runs every 500 ms for the stack's life, and reads only once
	// everything is in place.
	made map[string]bool
}

// ensure creates obj unless this runtime has already made it (or it exists).
func (r *externalRuntime) ensure(ctx context.Context, kind string, obj client.Object) error {
	k := kind + "/" + obj.GetNamespace() + "/" + obj.GetName()
	if r.made[k] {
		return nil
	}
	if err := r.kube.Create(ctx, obj); err != nil && !kerrors.IsAlreadyExists(err) {
		return err
	}
	if r.made == nil {
		r.made = map[string]bool{}
	}
	r.made[k] = true
	return nil
}

// run reconciles every revision until ctx ends.
func (r *externalRuntime) run(ctx context.Context, report func(error)) {
	var last string
	for ctx.Err() == nil {
		if err := r.reconcile(ctx); err != nil && ctx.Err() == nil && err.Error() != last && !kerrors.IsConflict(err) {
			report(err)
			last = err.Error()
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (r *externalRuntime) reconcile(ctx context.Context) error {
	prs := &pkgv1.ProviderRevisionList{}
	if err := r.kube.List(ctx, prs); err != nil {
		return err
	}
	for i := range prs.Items {
		pr := &prs.Items[i]
		p := &pkgv1.Provider{}
		if pr.Spec.DesiredState != pkgv1.PackageRevisionActive || r.kube.Get(ctx, client.ObjectKey{Name: pr.GetLabels()[pkgv1.LabelParentPackage]}, p) != nil {
			continue
		}
		if err := r.deployment(ctx, pr, p); err != nil {
			return err
		}
		if err := r.webhookService(ctx, p.GetName()); err != nil {
			return err
		}
		if err := r.serve(ctx, pr, p, r.certs.providerSecret(), func() bool { return true }); err != nil {
			return err
		}
	}
	frs := &pkgv1.FunctionRevisionList{}
	if err := r.kube.List(ctx, frs); err != nil {
		return err
	}
	for i := range frs.Items {
		fr := &frs.Items[i]
		f := &pkgv1.Function{}
		if fr.Spec.DesiredState != pkgv1.PackageRevisionActive || r.kube.Get(ctx, client.ObjectKey{Name: fr.GetLabels()[pkgv1.LabelParentPackage]}, f) != nil {
			continue
		}
		if err := r.serve(ctx, fr, f, r.certs.serverSecret(), func() bool {
			if fr.Status.Endpoint == r.functionAddr {
				return true
			}
			fr.Status.Endpoint = r.functionAddr
			return false
		}); err != nil {
			return err
		}
	}
	return nil
}

// serve gives rev the TLS server Secret its package names, holding data, and marks its runtime healthy; endpoint
// sets anything else the runtime reports in status and returns whether it was already so.
func (r *externalRuntime) serve(
	ctx context.Context, rev pkgv1.PackageRevisionWithRuntime, pkg pkgv1.PackageWithRuntime, data map[string][]byte, endpoint func() bool,
) error {
	secret := pkg.GetTLSServerSecretName()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: CrossplaneNamespace, Name: *secret}, Data: data}
	if err := r.ensure(ctx, "Secret", s); err != nil {
		return err
	}
	inSync := endpoint()
	if o := rev.GetObservedTLSServerSecretName(); o == nil || *o != *secret {
		rev.SetObservedTLSServerSecretName(secret)
		inSync = false
	}
	if rev.GetCondition(pkgv1.TypeRuntimeHealthy).Status != corev1.ConditionTrue {
		rev.SetConditions(pkgv1.RuntimeHealthy())
		inSync = false
	}
	if inSync {
		return nil
	}
	return r.kube.Status().Update(ctx, rev)
}

// webhookService is the provider package's Service, named as its package (Crossplane points the package's webhook
// configuration at it, port 9443), and its one endpoint: the provider process's webhook server. The endpoint is the
// machine's own address, not loopback — the API server refuses 127.0.0.0/8 in an EndpointSlice (ValidateEndpointIP)
// — and kube-apiserver, started with --enable-aggregator-routing=true, dials it directly instead of the Service's
// cluster IP, which nothing routes here.
func (r *externalRuntime) webhookService(ctx context.Context, name string) error {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: CrossplaneNamespace, Name: name},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Ports: []corev1.ServicePort{{
			Name: "webhook", Port: 9443, TargetPort: intstr.FromInt32(int32(r.certs.webhookPort)), Protocol: corev1.ProtocolTCP, //nolint:gosec // a port
		}}},
	}
	if err := r.ensure(ctx, "Service", svc); err != nil {
		return err
	}
	return r.ensure(ctx, "EndpointSlice", &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Namespace: CrossplaneNamespace, Name: name + "-webhook", Labels: map[string]string{
			discoveryv1.LabelServiceName: name, discoveryv1.LabelManagedBy: "provider-stateful-devstack",
		}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{r.certs.webhookHost}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
		Ports: []discoveryv1.EndpointPort{{
			Name: ptr.To("webhook"), Port: ptr.To(int32(r.certs.webhookPort)), Protocol: ptr.To(corev1.ProtocolTCP), //nolint:gosec // a port
		}},
	})
}

// deployment records the Deployment the Deployment runtime would run pr's package in, with the service account
// its Provider's DeploymentRuntimeConfig names (the revision's name when it names none).
func (r *externalRuntime) deployment(ctx context.Context, pr *pkgv1.ProviderRevision, p *pkgv1.Provider) error {
	sa := pr.GetName()
	if ref := p.GetRuntimeConfigRef(); ref != nil {
		drc := &pkgv1beta1.DeploymentRuntimeConfig{}
		if err := r.kube.Get(ctx, client.ObjectKey{Name: ref.Name}, drc); err != nil {
			return err
		}
		if t := drc.Spec.ServiceAccountTemplate; t != nil && t.Metadata != nil && t.Metadata.Name != nil {
			sa = *t.Metadata.Name
		}
	}
	labels := map[string]string{"pkg.crossplane.io/revision": pr.GetName()}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: CrossplaneNamespace, Name: pr.GetName(),
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: pkgv1.ProviderRevisionGroupVersionKind.GroupVersion().String(), Kind: pkgv1.ProviderRevisionKind,
				Name: pr.GetName(), UID: pr.GetUID(), Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
			}},
		},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					ServiceAccountName: sa,
					Containers:         []corev1.Container{{Name: "package-runtime", Image: pr.Spec.Package}},
				},
			},
		},
	}
	if err := r.ensure(ctx, "Deployment", d); err != nil {
		return err
	}
	return r.ensure(ctx, "ServiceAccount", &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: CrossplaneNamespace, Name: sa}})
}

// runtimeCerts are the certificates a package runtime mounts: Crossplane's client certificate (which the core
// reads from a folder, as from the pod's volume) and a server certificate for the function, signed by the same
// root CA, for 127.0.0.1 and localhost.
type runtimeCerts struct {
	clientDir, serverDir string
	caCert               []byte
	serverCert           []byte
	serverKey            []byte
	// The provider's webhook server certificate, for its Service's names and the machine's address, in the
	// folder the provider reads it from (TLS_SERVER_CERTS_DIR), and where it listens.
	providerDir               string
	providerCert, providerKey []byte
	webhookHost               string
	webhookPort               int
}

func newRuntimeCerts(ctx context.Context, kube client.Client, dir string) (*runtimeCerts, error) {
	get := func(n string) (map[string][]byte, error) {
		s := &corev1.Secret{}
		if err := kube.Get(ctx, client.ObjectKey{Namespace: CrossplaneNamespace, Name: n}, s); err != nil {
			return nil, fmt.Errorf("crossplane core init made no %s Secret: %w", n, err)
		}
		return s.Data, nil
	}
	ca, err := get("crossplane-root-ca")
	if err != nil {
		return nil, err
	}
	cl, err := get("crossplane-tls-client")
	if err != nil {
		return nil, err
	}
	c := &runtimeCerts{
		clientDir: filepath.Join(dir, "tls-client"), serverDir: filepath.Join(dir, "tls-server"), providerDir: filepath.Join(dir, "tls-provider"),
		caCert: ca[corev1.TLSCertKey],
	}
	caCert, caKey := ca[corev1.TLSCertKey], ca[corev1.TLSPrivateKeyKey]
	if c.serverCert, c.serverKey, err = signServer(caCert, caKey, FunctionName, []string{"localhost"}, net.ParseIP("127.0.0.1")); err != nil {
		return nil, err
	}
	if c.webhookHost, err = hostAddress(); err != nil {
		return nil, err
	}
	if c.webhookPort, err = harness.FreePort(); err != nil {
		return nil, err
	}
	svc := ProviderName + "." + CrossplaneNamespace
	if c.providerCert, c.providerKey, err = signServer(caCert, caKey, ProviderName,
		[]string{ProviderName, svc, svc + ".svc", svc + ".svc.cluster.local"}, net.ParseIP(c.webhookHost)); err != nil {
		return nil, err
	}
	for d, files := range map[string]map[string][]byte{c.clientDir: cl, c.serverDir: c.serverSecret(), c.providerDir: c.providerSecret()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
		for _, k := range []string{"ca.crt", corev1.TLSCertKey, corev1.TLSPrivateKeyKey} {
			if err := os.WriteFile(filepath.Join(d, k), files[k], 0o600); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

func (c *runtimeCerts) serverSecret() map[string][]byte {
	return map[string][]byte{"ca.crt": c.caCert, corev1.TLSCertKey: c.serverCert, corev1.TLSPrivateKeyKey: c.serverKey}
}

func (c *runtimeCerts) providerSecret() map[string][]byte {
	return map[string][]byte{"ca.crt": c.caCert, corev1.TLSCertKey: c.providerCert, corev1.TLSPrivateKeyKey: c.providerKey}
}

// hostAddress is the machine's first IPv4 address that is neither loopback nor link-local: an EndpointSlice may
// hold it.
func hostAddress() (string, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "", err
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String(), nil
		}
	}
	return "", fmt.Errorf("this machine has no IPv4 address but loopback: the provider's webhook Service needs one for its endpoint")
}

// signServer signs a server certificate for names and ip with the CA.
func signServer(caCert, caKey []byte, cn string, names []string, ip net.IP) (certPEM, keyPEM []byte, err error) {
	pair, err := tls.X509KeyPair(caCert, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read crossplane-root-ca: %w", err)
	}
	ca, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		DNSNames:     names,
		IPAddresses:  []net.IP{ip},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, pair.PrivateKey)
	if err != nil {
		return nil, nil, err
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), nil
}

// Scheme is the Kubernetes scheme plus Crossplane's package types.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, extv1.AddToScheme, pkgv1.AddToScheme, pkgv1beta1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}
