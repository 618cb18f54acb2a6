package dbinstance

import (
	"context"
	"strings"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
)

func TestEnsurePassword(t *testing.T) {
	db := &v1alpha1.DBInstance{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "orders", UID: "u-1"}}
	db.Spec.ForProvider.MasterPasswordSecretRef = v1alpha1.PasswordSecretRef{Name: "pw", Key: "password", Generate: ptr.To(true)}
	marked := map[string]string{generatedFor: "DBInstance.rds.aws.stateful.dev/orders"}
	cases := map[string]struct {
		reason   string
		existing *corev1.Secret
		errHas   string
		wantKeys []string
		wantMark bool
	}{
		"Create": {
			reason:   "No Secret: one is created with the password and the DBInstance's marker.",
			wantKeys: []string{"password"}, wantMark: true,
		},
		"UserSupplied": {
			reason:   "A Secret with the key is read, never written, whoever made it.",
			existing: &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "pw"}, Data: map[string][]byte{"password": []byte("given")}},
			wantKeys: []string{"password"},
		},
		"ForeignWithoutKey": {
			reason:   "Another Secret of the namespace without the key is refused, not written.",
			existing: &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "pw"}, Data: map[string][]byte{"token": []byte("x")}},
			errHas:   "exists and was not created for this DBInstance", wantKeys: []string{"token"},
		},
		"OtherDBInstances": {
			reason: "A Secret generated for another DBInstance is refused too.",
			existing: &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "pw", Annotations: map[string]string{generatedFor: "DBInstance.rds.aws.stateful.dev/billing"}},
				Data: map[string][]byte{"other": []byte("x")}},
			errHas: "exists and was not created for this DBInstance", wantKeys: []string{"other"},
		},
		"OwnWithoutKey": {
			reason: "A Secret the provider created for this DBInstance gets the key added.",
			existing: &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "pw", Annotations: marked},
				Data: map[string][]byte{"other": []byte("x")}},
			wantKeys: []string{"other", "password"}, wantMark: true,
		},
	}
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := fake.NewClientBuilder().WithScheme(s)
			if tc.existing != nil {
				b = b.WithObjects(tc.existing)
			}
			kube := b.Build()
			pw, err := ensurePassword(context.Background(), kube, db)
			switch {
			case tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)):
				t.Fatalf("%s\nensurePassword(...): want error with %q, got %v", tc.reason, tc.errHas, err)
			case tc.errHas == "" && (err != nil || pw == ""):
				t.Fatalf("%s\nensurePassword(...): %q, %v", tc.reason, pw, err)
			}
			got := &corev1.Secret{}
			if err := kube.Get(context.Background(), client.ObjectKey{Namespace: "team-a", Name: "pw"}, got); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range got.Data {
				keys = append(keys, k)
			}
			if d := cmp.Diff(tc.wantKeys, keys, cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
				t.Errorf("%s\nSecret keys: -want +got:\n%s", tc.reason, d)
			}
			if d := cmp.Diff(tc.wantMark, got.Annotations[generatedFor] == "DBInstance.rds.aws.stateful.dev/orders"); d != "" {
				t.Errorf("%s\nmarked: -want +got:\n%s", tc.reason, d)
			}
		})
	}
}

func TestAppliedPasswordTrustsOnlyItsConnectionSecret(t *testing.T) {
	db := &v1alpha1.DBInstance{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "orders", UID: "u-1"}}
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	conn := func(controller string) *corev1.Secret {
		sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "conn"}, Data: map[string][]byte{ConnPassword: []byte("pw")}}
		if controller != "" {
			sec.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "X", Name: "x", UID: types.UID("u-" + controller), Controller: ptr.To(true)}}
		}
		return sec
	}
	for name, tc := range map[string]struct {
		reason string
		secret *corev1.Secret
		want   string
	}{
		"Controlled":   {reason: "The resource's own connection Secret records the applied password.", secret: conn("1"), want: "pw"},
		"OtherObject":  {reason: "A Secret controlled by another object tells nothing.", secret: conn("2")},
		"NoController": {reason: "A Secret without a controller tells nothing.", secret: conn("")},
	} {
		t.Run(name, func(t *testing.T) {
			d := db.DeepCopy()
			d.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: "conn"}
			kube := fake.NewClientBuilder().WithScheme(s).WithObjects(tc.secret).Build()
			got, err := appliedPassword(context.Background(), kube, d)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nappliedPassword: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	r := v1alpha1.PasswordSecretRef{Name: "pw", Key: "password"}
	cases := map[string]struct {
		reason, engine, pw, errHas string
	}{
		"Generated":   {reason: "A generated password passes.", engine: "postgres", pw: strings.Repeat("aB3", 10)},
		"Short":       {reason: "Fewer than 8 characters.", engine: "postgres", pw: "s3cr3t", errHas: "has 6 characters: RDS takes 8 to 128"},
		"MySQLLong":   {reason: "MySQL takes at most 41.", engine: "mysql", pw: strings.Repeat("a", 42), errHas: "8 to 41 for mysql"},
		"Slash":       {reason: "A slash is refused.", engine: "postgres", pw: "abc/defgh-secret", errHas: "contains a character RDS refuses"},
		"Space":       {reason: "A space is refused.", engine: "postgres", pw: "abc defgh-secret", errHas: "contains a character RDS refuses"},
		"NonASCII":    {reason: "Only printable ASCII.", engine: "postgres", pw: "pässwörd-secret", errHas: "contains a character RDS refuses"},
		"Punctuation": {reason: "Other punctuation is fine.", engine: "mariadb", pw: "a!#$%^&*()_+-=secret"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := checkPassword(tc.engine, tc.pw, r)
			if tc.errHas == "" {
				if err != nil {
					t.Errorf("%s\nwant no error, got %v", tc.reason, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.errHas) || strings.Contains(err.Error(), tc.pw) {
				t.Errorf("%s\nwant an error containing %q and not the password, got %v", tc.reason, tc.errHas, err)
			}
		})
	}
}
