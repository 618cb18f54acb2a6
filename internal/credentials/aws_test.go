package credentials

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
)

func scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = v1alpha1.SchemeBuilder.AddToScheme(s)
	_ = s3v1alpha1.SchemeBuilder.AddToScheme(s)
	return s
}

func secret(ns, name, ak, sk string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: map[string][]byte{"access_key_id": []byte(ak), "secret_access_key": []byte(sk)}}
}

func mr(ns string, ref *xpv2.ProviderConfigReference) *s3v1alpha1.Bucket {
	b := &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "data"}}
	b.Spec.ProviderConfigReference = ref
	return b
}

func awsSpec(source v1alpha1.AWSCredentialsSource, ref *v1alpha1.AWSSecretCredentials) v1alpha1.ProviderConfigSpec {
	return v1alpha1.ProviderConfigSpec{AWS: &v1alpha1.AWSConfig{
		Credentials: v1alpha1.AWSCredentials{Source: source, SecretRef: ref},
		DefaultTags: map[string]string{"a": "b"}, IgnoreTagPrefixes: []string{"org/"},
	}}
}

// counting returns a Resolver over objs that records the settings of every SDK configuration it builds.
func counting(objs ...client.Object) (*Resolver, *[]awsclient.Settings) {
	c := fake.NewClientBuilder().WithScheme(scheme()).WithObjects(objs...).WithInterceptorFuncs(interceptor.Funcs{
		// The fake client stores a TokenReview like any object (and wants a name); the API server answers it.
		// Tokens for the "kubernetes" audience are the API server's own.
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			if tr, ok := obj.(*authenticationv1.TokenReview); ok {
				tr.Status.Authenticated = strings.Contains(tr.Spec.Token, "kubernetes")
				return nil
			}
			return c.Create(ctx, obj, opts...)
		},
		SubResourceCreate: func(ctx context.Context, c client.Client, sub string, obj client.Object, sr client.Object, opts ...client.SubResourceCreateOption) error {
			if tr, ok := sr.(*authenticationv1.TokenRequest); ok && sub == "token" {
				tr.Status.Token = "jwt-for-" + obj.GetNamespace() + "/" + obj.GetName() + "-aud-" + strings.Join(tr.Spec.Audiences, ",")
				return nil
			}
			return c.SubResource(sub).Create(ctx, obj, sr, opts...)
		},
	}).Build()
	r := NewResolver(c, c, c)
	var built []awsclient.Settings
	r.newAWSConfig = func(_ context.Context, s awsclient.Settings) (aws.Config, error) {
		built = append(built, s)
		return aws.Config{}, nil
	}
	return r, &built
}

func TestAWSResolution(t *testing.T) {
	pcRef := &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "mine"}
	cases := map[string]struct {
		reason string
		objs   []client.Object
		mg     *s3v1alpha1.Bucket
		errHas string
		want   awsclient.StaticKeys
	}{
		"ClusterDefault": {
			reason: "No reference means ClusterProviderConfig/default, with its Secret's namespace.",
			objs: []client.Object{
				&v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "default"}, Spec: awsSpec(v1alpha1.AWSCredentialsSecret, &v1alpha1.AWSSecretCredentials{Namespace: "ops", Name: "creds"})},
				secret("ops", "creds", "AK", "SK"),
			},
			mg: mr("team-a", nil), want: awsclient.StaticKeys{AccessKeyID: "AK", SecretAccessKey: "SK"},
		},
		"Namespaced": {
			reason: "A ProviderConfig reads its Secret from its own namespace.",
			objs: []client.Object{
				&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "mine"}, Spec: awsSpec(v1alpha1.AWSCredentialsSecret, &v1alpha1.AWSSecretCredentials{Name: "creds"})},
				secret("team-a", "creds", "AK-A", "SK-A"),
			},
			mg: mr("team-a", pcRef), want: awsclient.StaticKeys{AccessKeyID: "AK-A", SecretAccessKey: "SK-A"},
		},
		"NamespacedForeignSecret": {
			reason: "A ProviderConfig naming another namespace's Secret is refused before any read.",
			objs: []client.Object{
				&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "mine"}, Spec: awsSpec(v1alpha1.AWSCredentialsSecret, &v1alpha1.AWSSecretCredentials{Namespace: "team-b", Name: "creds"})},
				secret("team-b", "creds", "AK-B", "SK-B"),
			},
			mg: mr("team-a", pcRef), errHas: "reads Secrets only from its own namespace",
		},
		"NamespacedInjectedIdentity": {
			reason: "A ProviderConfig cannot use the provider's own identity.",
			objs:   []client.Object{&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "mine"}, Spec: awsSpec(v1alpha1.AWSCredentialsInjectedIdentity, nil)}},
			mg:     mr("team-a", pcRef), errHas: "only a ClusterProviderConfig may use the provider's own identity",
		},
		"OtherNamespacesConfig": {
			reason: "A managed resource only finds ProviderConfigs of its own namespace.",
			objs:   []client.Object{&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team-b", Name: "mine"}, Spec: awsSpec(v1alpha1.AWSCredentialsSecret, &v1alpha1.AWSSecretCredentials{Name: "creds"})}},
			mg:     mr("team-a", pcRef), errHas: "cannot get ProviderConfig team-a/mine",
		},
		"MissingKey": {
			reason: "A Secret without the access key says which key is missing, never a value.",
			objs: []client.Object{
				&v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "default"}, Spec: awsSpec(v1alpha1.AWSCredentialsSecret, &v1alpha1.AWSSecretCredentials{Namespace: "ops", Name: "creds", SecretAccessKeyKey: "sk"})},
				secret("ops", "creds", "AK", "SK"),
			},
			mg: mr("team-a", nil), errHas: `Secret ops/creds has no key "sk"`,
		},
		"NoAWSSection": {
			reason: "A config without an aws section is a clear error.",
			objs:   []client.Object{&v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "default"}}},
			mg:     mr("team-a", nil), errHas: "has no aws section",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, built := counting(tc.objs...)
			a, err := r.AWS(context.Background(), tc.mg)
			switch {
			case tc.errHas == "" && err != nil:
				t.Fatalf("%s\nAWS(...): %v", tc.reason, err)
			case tc.errHas != "":
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nAWS(...): want error containing %q, got %v", tc.reason, tc.errHas, err)
				}
				if len(*built) != 0 {
					t.Errorf("%s\na refused config built an SDK configuration", tc.reason)
				}
				return
			}
			if diff := cmp.Diff(tc.want, (*built)[0].Static); diff != "" {
				t.Errorf("%s\nstatic keys: -want +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff([]string{"aws:", "org/"}, a.IgnoreTagPrefixes); diff != "" {
				t.Errorf("%s\nignored prefixes always start with aws:: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestAWSCache(t *testing.T) {
	cpc := &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "default", Generation: 1}, Spec: awsSpec(v1alpha1.AWSCredentialsSecret, &v1alpha1.AWSSecretCredentials{Namespace: "ops", Name: "creds"})}
	s := secret("ops", "creds", "AK", "SK")
	r, built := counting(cpc, s)
	ctx := context.Background()
	resolve := func() *AWSAccount {
		t.Helper()
		a, err := r.AWS(ctx, mr("team-a", nil))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	first := resolve()
	if resolve() != first || len(*built) != 1 {
		t.Fatalf("an unchanged config and Secret must reuse the cached account: %d builds", len(*built))
	}
	build := func() (*int, error) { return new(int), nil }
	c1, _ := Cached(first, "s3/eu-west-1", build)
	c2, _ := Cached(first, "s3/eu-west-1", build)
	if c1 != c2 {
		t.Errorf("SDK clients must be built once per account and key")
	}

	// Rotating the Secret's content rebuilds.
	s.Data["secret_access_key"] = []byte("SK2")
	if err := r.secrets.(client.Client).Update(ctx, s); err != nil {
		t.Fatal(err)
	}
	if resolve() == first || len(*built) != 2 || (*built)[1].Static.SecretAccessKey != "SK2" {
		t.Fatalf("a changed Secret must rebuild: %d builds", len(*built))
	}

	// A new generation of the config rebuilds.
	cur := &v1alpha1.ClusterProviderConfig{}
	_ = r.kube.Get(ctx, client.ObjectKeyFromObject(cpc), cur)
	cur.Spec.AWS.DefaultTags = map[string]string{"new": "tag"}
	cur.Generation = 2
	if err := r.kube.(client.Client).Update(ctx, cur); err != nil {
		t.Fatal(err)
	}
	if a := resolve(); len(*built) != 3 || a.DefaultTags["new"] != "tag" {
		t.Fatalf("a new config generation must rebuild: %d builds", len(*built))
	}
}

func TestAWSLastAccountForDeletedResources(t *testing.T) {
	pc := &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "aws", Generation: 1}, Spec: awsSpec(v1alpha1.AWSCredentialsSecret, &v1alpha1.AWSSecretCredentials{Name: "creds"})}
	s := secret("team-a", "creds", "AK", "SK")
	r, _ := counting(pc, s)
	ctx := context.Background()
	ref := &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "aws"}
	first, err := r.AWS(ctx, mr("team-a", ref))
	if err != nil {
		t.Fatal(err)
	}
	// The namespace is being deleted: its Secret goes first.
	if err := r.secrets.(client.Client).Delete(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := r.AWS(ctx, mr("team-a", ref)); err == nil || !strings.Contains(err.Error(), "cannot get Secret team-a/creds") {
		t.Errorf("a live resource must not use credentials whose Secret is gone: %v", err)
	}
	deleting := mr("team-a", ref)
	now := metav1.Now()
	deleting.DeletionTimestamp = &now
	deleting.Finalizers = []string{"f"}
	if a, err := r.AWS(ctx, deleting); err != nil || a != first {
		t.Errorf("a resource being deleted uses the config's last account when its Secret is gone: %v", err)
	}
	// The config is being deleted too, which bumps its generation.
	cur := &v1alpha1.ProviderConfig{}
	_ = r.kube.Get(ctx, client.ObjectKeyFromObject(pc), cur)
	cur.Finalizers = []string{"in-use"}
	_ = r.kube.(client.Client).Update(ctx, cur)
	if err := r.kube.(client.Client).Delete(ctx, cur); err != nil {
		t.Fatal(err)
	}
	_ = r.kube.Get(ctx, client.ObjectKeyFromObject(pc), cur)
	cur.Generation = 7
	_ = r.kube.(client.Client).Update(ctx, cur)
	_ = r.kube.Get(ctx, client.ObjectKeyFromObject(pc), cur)
	if cur.DeletionTimestamp == nil || cur.Generation != 7 {
		t.Fatalf("test setup: want a config being deleted at generation 7, got %v %d", cur.DeletionTimestamp, cur.Generation)
	}
	if a, err := r.AWS(ctx, deleting); err != nil || a != first {
		t.Errorf("a config being deleted still lends its last account to resources being deleted: %v", err)
	}
}
