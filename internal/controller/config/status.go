package config

import (
	"context"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// Ready condition reasons of a config with a vault section.
const (
	ReasonVaultAuthenticated     xpv2.ConditionReason = "VaultAuthenticated"
	ReasonVaultUnavailable       xpv2.ConditionReason = "VaultUnavailable"
	ReasonCredentialsUnavailable xpv2.ConditionReason = "CredentialsUnavailable"
	// ReasonNotAllowed: a namespaced config names an endpoint, a Vault address or a token audience the
	// administrator does not allow (any config, with or without a vault section).
	ReasonNotAllowed xpv2.ConditionReason = "NotAllowed"
)

// recheckAfter is how soon a config whose Vault check failed is checked again, so its status recovers when Vault
// does even while no managed resource uses it.
const recheckAfter = 30 * time.Second

// statusReconciler wraps crossplane-runtime's ProviderConfig reconciler (usage counting, deletion blocking). It
// then reports the config's Vault connection in its status — written only when what it shows changed — and
// releases what a deleted config held in Vault.
type statusReconciler struct {
	usage  reconcile.Reconciler
	kube   client.Client
	creds  *credentials.Resolver
	kind   string
	newObj func() (client.Object, *v1alpha1.ProviderConfigSpec, *v1alpha1.ProviderConfigStatus)
	// managed lists each managed kind, to find the resources that still use a deleted config.
	managed []func() resource.ManagedList
	// settle spaces the reconciles of a live config; see settle.
	settle *settle
}

func (s *statusReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	if res, done, err := s.holdWhileUsed(ctx, req); done {
		return res, err
	}
	ref := credentials.ConfigRef{Kind: s.kind, Namespace: req.Namespace, Name: req.Name}
	urgent := func(spec *v1alpha1.ProviderConfigSpec, status *v1alpha1.ProviderConfigStatus) bool {
		return vaultChanged(s.creds.Status(ref), spec, status)
	}
	if wait := s.settle.wait(ctx, s.kube, req, s.newObj, urgent); wait > 0 {
		return reconcile.Result{RequeueAfter: wait}, nil
	}
	res, err := s.usage.Reconcile(ctx, req)
	obj, spec, status := s.newObj()
	if getErr := s.kube.Get(ctx, req.NamespacedName, obj); getErr != nil {
		if kerrors.IsNotFound(getErr) {
			s.creds.Forget(ref)
		}
		return res, err
	}
	if obj.GetDeletionTimestamp() != nil || err != nil {
		return res, err
	}

	want := status.DeepCopy()
	notAllowed := s.creds.CheckAllowed(ctx, ref)
	switch {
	case notAllowed != nil && credentials.IsNotAllowed(notAllowed):
		// Nothing is contacted: every managed resource using the config is refused the same way at connect.
		want.Vault = nil
		if spec.Vault != nil {
			want.Vault = vaultStatus(s.creds.Status(ref))
		}
		want.SetConditions(xpv2.Condition{Type: xpv2.TypeReady, Status: corev1.ConditionFalse, LastTransitionTime: metav1.Now(),
			Reason: ReasonNotAllowed, Message: notAllowed.Error()})
	case spec.Vault == nil:
		want.Vault = nil
		want.Conditions = withoutReady(want.Conditions)
	default:
		checkErr := s.creds.CheckVault(ctx, ref)
		st := s.creds.Status(ref)
		want.Vault = vaultStatus(st)
		want.SetConditions(ready(st, checkErr))
		if checkErr != nil {
			res.RequeueAfter = recheckAfter
		}
	}
	if cmp.Equal(want, status) {
		return res, nil
	}
	orig := obj.DeepCopyObject().(client.Object) //nolint:forcetypeassert // A copy has the type of its original.
	*status = *want
	// NOTE: optimistic lock: the conditions list is replaced as a whole, so a concurrent write must not be lost.
	if err := s.kube.Status().Patch(ctx, obj, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
		if kerrors.IsConflict(err) {
			// Another writer (the usage count) was first: read again and compare again.
			//nolint:staticcheck // Deprecated Requeue kept: a conflict retries with the rate limiter's backoff, RequeueAfter is a fixed delay.
			return reconcile.Result{Requeue: true}, nil
		}
		return reconcile.Result{}, err
	}
	return res, nil
}

// holdWhileUsed keeps a deleted config — its finalizer — while managed resources still reference it, and says
// so in its Terminating condition. It is done (the usage reconciler must not run) only in that case.
func (s *statusReconciler) holdWhileUsed(ctx context.Context, req reconcile.Request) (reconcile.Result, bool, error) {
	obj, spec, status := s.newObj()
	if err := s.kube.Get(ctx, req.NamespacedName, obj); err != nil || obj.GetDeletionTimestamp() == nil {
		return reconcile.Result{}, false, nil
	}
	users, err := s.liveUsers(ctx, s.kind, req.Namespace, req.Name, spec.AllowedNamespaces)
	if err != nil {
		return reconcile.Result{}, true, err
	}
	if users == 0 {
		return reconcile.Result{}, false, nil
	}
	want := status.DeepCopy()
	want.Users = int64(users)
	want.SetConditions(blocked(users))
	if !cmp.Equal(want, status) {
		orig := obj.DeepCopyObject().(client.Object) //nolint:forcetypeassert // A copy has the type of its original.
		*status = *want
		if err := s.kube.Status().Patch(ctx, obj, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
			if kerrors.IsConflict(err) {
				//nolint:staticcheck // A conflict is retried with the rate limiter's backoff, as above.
				return reconcile.Result{Requeue: true}, true, nil
			}
			return reconcile.Result{}, true, err
		}
	}
	return reconcile.Result{RequeueAfter: blockedRecheck}, true, nil
}

// ready is the config's Ready condition. It never carries a secret: the messages are cleaned errors.
func ready(st credentials.ConfigStatus, checkErr error) xpv2.Condition {
	c := xpv2.Condition{Type: xpv2.TypeReady, Status: corev1.ConditionFalse, LastTransitionTime: metav1.Now()}
	switch {
	case checkErr != nil:
		c.Reason, c.Message = ReasonVaultUnavailable, checkErr.Error()
	case st.Vault == nil || !st.Vault.Authenticated:
		c.Reason, c.Message = ReasonVaultUnavailable, "not authenticated to Vault"
		if st.Vault != nil && st.Vault.Err != "" {
			c.Message = st.Vault.Err
		}
	case st.AWS != nil && st.AWS.Err != "":
		c.Reason, c.Message = ReasonCredentialsUnavailable, "cannot get AWS credentials from Vault: "+st.AWS.Err
	case st.GCP != nil && st.GCP.Err != "":
		c.Reason, c.Message = ReasonCredentialsUnavailable, "cannot get GCP credentials from Vault: "+st.GCP.Err
	default:
		c.Status, c.Reason, c.Message = corev1.ConditionTrue, ReasonVaultAuthenticated, "Authenticated to Vault with "+st.Vault.Method+" auth"
	}
	return c
}

// vaultChanged says whether the config's status.vault no longer shows what the resolver holds for it. It reads
// only memory (no Vault call), and what a reconcile writes makes it false again, so it cannot loop.
func vaultChanged(st credentials.ConfigStatus, spec *v1alpha1.ProviderConfigSpec, status *v1alpha1.ProviderConfigStatus) bool {
	if spec.Vault == nil {
		return status.Vault != nil
	}
	return !cmp.Equal(vaultStatus(st), status.Vault)
}

func vaultStatus(st credentials.ConfigStatus) *v1alpha1.VaultStatus {
	if st.Vault == nil {
		return nil
	}
	v := &v1alpha1.VaultStatus{
		AuthMethod: st.Vault.Method, Authenticated: st.Vault.Authenticated,
		TokenExpiresAt: timeOf(st.Vault.ExpiresAt), LastLogin: timeOf(st.Vault.LastLogin), LastTokenRenewal: timeOf(st.Vault.LastRenewal),
	}
	v.AWS, v.GCP = credentialsStatus(st.AWS), credentialsStatus(st.GCP)
	return v
}

// credentialsStatus is what a config's status says of one cloud's credentials from Vault.
func credentialsStatus(c *credentials.CredentialStatus) *v1alpha1.VaultCredentialsStatus {
	if c == nil || c.Kind == "" {
		return nil
	}
	return &v1alpha1.VaultCredentialsStatus{Kind: c.Kind, ExpiresAt: timeOf(c.ExpiresAt), LastIssued: timeOf(c.LastIssued), LastRenewal: timeOf(c.LastRenewal)}
}

// timeOf converts to the second precision the API server stores, so an unchanged time compares equal.
func timeOf(t time.Time) *metav1.Time {
	if t.IsZero() {
		return nil
	}
	mt := metav1.NewTime(t.Truncate(time.Second))
	return &mt
}

func withoutReady(cs []xpv2.Condition) []xpv2.Condition {
	var out []xpv2.Condition
	for _, c := range cs {
		if c.Type != xpv2.TypeReady {
			out = append(out, c)
		}
	}
	return out
}

// changes turns the resolver's change notifications for one config kind into reconcile requests.
func changes(creds *credentials.Resolver, kind string) <-chan event.TypedGenericEvent[client.Object] {
	ch := make(chan event.TypedGenericEvent[client.Object], 256)
	creds.OnChange(func(ref credentials.ConfigRef) {
		if ref.Kind != kind {
			return
		}
		obj := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name}}
		select {
		case ch <- event.TypedGenericEvent[client.Object]{Object: obj}:
		default:
			// A full queue already holds enough reconciles to show the latest state.
		}
	})
	return ch
}
