package dbinstance

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/password"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
)

// generatedLength is the length of a generated master password: letters and digits only, so that it needs no
// quoting in any DSN and is accepted by every engine.
const generatedLength = 32

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// passwordKey is the key of the password in the referenced Secret.
func passwordKey(r v1alpha1.PasswordSecretRef) string {
	if r.Key == "" {
		return "password"
	}
	return r.Key
}

// readPassword returns the master password from the referenced Secret in cr's namespace, and false when the Secret
// or the key does not exist.
func readPassword(ctx context.Context, kube client.Reader, cr *v1alpha1.DBInstance) (string, bool, error) {
	r := cr.Spec.ForProvider.MasterPasswordSecretRef
	s := &corev1.Secret{}
	err := kube.Get(ctx, types.NamespacedName{Namespace: cr.GetNamespace(), Name: r.Name}, s)
	switch {
	case kerrors.IsNotFound(err):
		return "", false, nil
	case err != nil:
		return "", false, errors.Wrapf(err, "cannot read the master password Secret %s", r.Name)
	}
	v, ok := s.Data[passwordKey(r)]
	if !ok || len(v) == 0 {
		return "", false, nil
	}
	return string(v), true, nil
}

// generatedFor is the annotation that marks a password Secret the provider created, with the DBInstance it was
// created for. The provider writes only into Secrets that carry it for the same DBInstance: a tenant must not be
// able to make it write into another Secret of the namespace (a service account token, another app's credentials).
const generatedFor = "stateful.dev/generated-for"

// owner is the value of generatedFor for cr: its kind and name (the namespace is the Secret's own).
func owner(cr *v1alpha1.DBInstance) string {
	return v1alpha1.DBInstanceGroupKind + "/" + cr.GetName()
}

// ensurePassword returns the master password, generating it into the referenced Secret first when that is allowed
// and there is none. An existing password is never replaced, so a restart never loses it. It creates the Secret,
// or adds the key to a Secret it created for this DBInstance; any other Secret is refused.
func ensurePassword(ctx context.Context, kube client.Client, cr *v1alpha1.DBInstance) (string, error) {
	pw, ok, err := readPassword(ctx, kube, cr)
	if err != nil || ok {
		return pw, err
	}
	r := cr.Spec.ForProvider.MasterPasswordSecretRef
	if !ptr.Deref(r.Generate, false) {
		return "", errors.Errorf("Secret %s has no key %q with the master password: create it, or set masterPasswordSecretRef.generate", r.Name, passwordKey(r))
	}
	if pw, err = generate(); err != nil {
		return "", err
	}
	s := &corev1.Secret{}
	err = kube.Get(ctx, types.NamespacedName{Namespace: cr.GetNamespace(), Name: r.Name}, s)
	switch {
	case kerrors.IsNotFound(err):
		s = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: cr.GetNamespace(), Name: r.Name, Annotations: map[string]string{generatedFor: owner(cr)}},
			Data:       map[string][]byte{passwordKey(r): []byte(pw)},
		}
		err = kube.Create(ctx, s)
	case err == nil:
		if len(s.Data[passwordKey(r)]) > 0 {
			return string(s.Data[passwordKey(r)]), nil
		}
		if s.GetAnnotations()[generatedFor] != owner(cr) {
			return "", errors.Errorf("Secret %s exists and was not created for this DBInstance: the provider writes only Secrets it created; "+
				"put the password under key %q yourself, or name a Secret that does not exist", r.Name, passwordKey(r))
		}
		if s.Data == nil {
			s.Data = map[string][]byte{}
		}
		s.Data[passwordKey(r)] = []byte(pw)
		// NOTE: Update carries the resourceVersion just read: a concurrent writer makes this fail, not lose a password.
		err = kube.Update(ctx, s)
	}
	if err != nil {
		return "", errors.Wrapf(err, "cannot store the generated master password in Secret %s", r.Name)
	}
	return pw, nil
}

func generate() (string, error) {
	pw, err := password.Settings{CharacterSet: alphabet, Length: generatedLength}.Generate()
	return pw, errors.Wrap(err, "cannot generate a password")
}

// checkPassword applies RDS's rules for a master password before it is sent, so that a password RDS would refuse
// fails with a message naming the rule — never the password — and no call: 8 to 128 characters (41 for MySQL and
// MariaDB), printable ASCII, none of / " @ or a space.
func checkPassword(engine, pw string, r v1alpha1.PasswordSecretRef) error {
	maxLen := 128
	if engine == "mysql" || engine == "mariadb" {
		maxLen = 41
	}
	where := fmt.Sprintf("the master password in Secret %s (key %q)", r.Name, passwordKey(r))
	if n := len(pw); n < 8 || n > maxLen {
		return errors.Errorf("%s has %d characters: RDS takes 8 to %d for %s", where, n, maxLen, engine)
	}
	for _, c := range pw {
		if c < 0x21 || c > 0x7e || strings.ContainsRune(`/"@`, c) {
			return errors.Errorf("%s contains a character RDS refuses: only printable ASCII without /, \", @ and spaces", where)
		}
	}
	return nil
}

// appliedPassword is the password last published to cr's connection Secret — the one the instance has — or "" when
// there is no connection Secret to tell. A Secret of that name that cr does not control (its controller reference)
// tells nothing: it is not cr's record, and its content is never trusted or published.
func appliedPassword(ctx context.Context, kube client.Reader, cr *v1alpha1.DBInstance) (string, error) {
	ref := cr.GetWriteConnectionSecretToReference()
	if ref == nil {
		return "", nil
	}
	s := &corev1.Secret{}
	err := kube.Get(ctx, types.NamespacedName{Namespace: cr.GetNamespace(), Name: ref.Name}, s)
	switch {
	case kerrors.IsNotFound(err):
		return "", nil
	case err != nil:
		return "", errors.Wrap(err, "cannot read the connection Secret")
	}
	if c := metav1.GetControllerOf(s); c == nil || c.UID != cr.GetUID() {
		return "", nil
	}
	return string(s.Data[ConnPassword]), nil
}

// TypeMasterPassword is the condition that says whether the provider knows the instance's master password: False
// when it will not set one it cannot prove it set (see Observe).
const TypeMasterPassword xpv2.ConditionType = "MasterPassword"

func passwordUnknown(id string, r v1alpha1.PasswordSecretRef) xpv2.Condition {
	return xpv2.Condition{Type: TypeMasterPassword, Status: corev1.ConditionFalse, Reason: "NotProvable", LastTransitionTime: metav1.Now(),
		Message: fmt.Sprintf("DB instance %q is this DBInstance's, but its master password Secret %s and its connection Secret are gone "+
			"(a cluster rebuilt from Git?): the provider does not reset a password it cannot prove it set. "+
			"Write the instance's password into Secret %s (key %q) to publish it, or a new one to set that", id, r.Name, r.Name, passwordKey(r))}
}

func passwordKnown() xpv2.Condition {
	return xpv2.Condition{Type: TypeMasterPassword, Status: corev1.ConditionTrue, Reason: "Known", LastTransitionTime: metav1.Now()}
}
