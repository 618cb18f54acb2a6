package config

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/vault"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

func TestReady(t *testing.T) {
	ok := &vault.Status{Method: "kubernetes", Authenticated: true}
	cases := map[string]struct {
		reason string
		st     credentials.ConfigStatus
		err    error
		want   xpv2.Condition
	}{
		"Authenticated": {
			reason: "A held token is Ready, naming the auth method.",
			st:     credentials.ConfigStatus{Vault: ok},
			want:   xpv2.Condition{Type: xpv2.TypeReady, Status: corev1.ConditionTrue, Reason: ReasonVaultAuthenticated, Message: "Authenticated to Vault with kubernetes auth"},
		},
		"CheckFailed": {
			reason: "A failed login is not Ready, with the cleaned error.",
			st:     credentials.ConfigStatus{Vault: &vault.Status{Method: "appRole"}},
			err:    errors.New("cannot log in to Vault: Vault answered HTTP 400: invalid role ID"),
			want:   xpv2.Condition{Type: xpv2.TypeReady, Status: corev1.ConditionFalse, Reason: ReasonVaultUnavailable, Message: "cannot log in to Vault: Vault answered HTTP 400: invalid role ID"},
		},
		"RenewalFailed": {
			reason: "A token lost since the last check shows its last failure.",
			st:     credentials.ConfigStatus{Vault: &vault.Status{Method: "token", Err: "cannot look up the Vault token: Vault answered HTTP 403: permission denied"}},
			want:   xpv2.Condition{Type: xpv2.TypeReady, Status: corev1.ConditionFalse, Reason: ReasonVaultUnavailable, Message: "cannot look up the Vault token: Vault answered HTTP 403: permission denied"},
		},
		"CredentialsFailed": {
			reason: "Authenticated, but the credentials cannot be read or minted.",
			st:     credentials.ConfigStatus{Vault: ok, AWS: &credentials.CredentialStatus{Kind: "iam_user", Err: "Vault answered HTTP 403: permission denied"}},
			want:   xpv2.Condition{Type: xpv2.TypeReady, Status: corev1.ConditionFalse, Reason: ReasonCredentialsUnavailable, Message: "cannot get AWS credentials from Vault: Vault answered HTTP 403: permission denied"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := ready(tc.st, tc.err)
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(xpv2.Condition{}, "LastTransitionTime")); diff != "" {
				t.Errorf("%s\nready: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestVaultStatus(t *testing.T) {
	at := time.Date(2026, 11, 25, 21, 0, 0, 123456789, time.UTC)
	sec := metav1.NewTime(at.Truncate(time.Second))
	cases := map[string]struct {
		reason string
		st     credentials.ConfigStatus
		want   *v1alpha1.VaultStatus
	}{
		"NotConnected": {reason: "No status before the connection is first used.", st: credentials.ConfigStatus{}},
		"TokenOnly": {
			reason: "Times are cut to the second the API server stores, so an unchanged status compares equal; unset times stay unset.",
			st:     credentials.ConfigStatus{Vault: &vault.Status{Method: "token", Authenticated: true, LastRenewal: at}},
			want:   &v1alpha1.VaultStatus{AuthMethod: "token", Authenticated: true, LastTokenRenewal: &sec},
		},
		"WithCredentials": {
			reason: "The credentials appear once a managed resource used them.",
			st: credentials.ConfigStatus{Vault: &vault.Status{Method: "appRole", Authenticated: true, LastLogin: at, ExpiresAt: at},
				AWS: &credentials.CredentialStatus{Kind: "iam_user", LastIssued: at, ExpiresAt: at}},
			want: &v1alpha1.VaultStatus{AuthMethod: "appRole", Authenticated: true, LastLogin: &sec, TokenExpiresAt: &sec,
				AWS: &v1alpha1.VaultCredentialsStatus{Kind: "iam_user", LastIssued: &sec, ExpiresAt: &sec}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, vaultStatus(tc.st)); diff != "" {
				t.Errorf("%s\nvaultStatus: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestVaultChanged(t *testing.T) {
	at := time.Date(2026, 11, 25, 21, 0, 0, 123456789, time.UTC)
	sec := metav1.NewTime(at.Truncate(time.Second))
	authed := &vault.Status{Method: "kubernetes", Authenticated: true, LastLogin: at}
	issued := credentials.ConfigStatus{Vault: authed, AWS: &credentials.CredentialStatus{Kind: "iam_user", LastIssued: at}}
	shown := &v1alpha1.VaultStatus{AuthMethod: "kubernetes", Authenticated: true, LastLogin: &sec}
	withVault := &v1alpha1.ProviderConfigSpec{Vault: &v1alpha1.VaultConfig{}}
	cases := map[string]struct {
		reason string
		st     credentials.ConfigStatus
		spec   *v1alpha1.ProviderConfigSpec
		status *v1alpha1.ProviderConfigStatus
		want   bool
	}{
		"Shown": {
			reason: "A status that shows what the resolver holds (to the second) is not a change.",
			st:     credentials.ConfigStatus{Vault: authed}, spec: withVault,
			status: &v1alpha1.ProviderConfigStatus{Vault: shown},
		},
		"CredentialsIssued": {
			reason: "Credentials issued since the status was written are a change: the user waits to see them.",
			st:     issued, spec: withVault,
			status: &v1alpha1.ProviderConfigStatus{Vault: shown}, want: true,
		},
		"FirstLogin": {
			reason: "A first login is a change.",
			st:     credentials.ConfigStatus{Vault: authed}, spec: withVault,
			status: &v1alpha1.ProviderConfigStatus{}, want: true,
		},
		"VaultRemoved": {
			reason: "A config whose vault section was removed and whose status still shows Vault is a change.",
			spec:   &v1alpha1.ProviderConfigSpec{},
			status: &v1alpha1.ProviderConfigStatus{Vault: shown}, want: true,
		},
		"NoVault": {
			reason: "A config without Vault never changes this way.",
			spec:   &v1alpha1.ProviderConfigSpec{}, status: &v1alpha1.ProviderConfigStatus{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := vaultChanged(tc.st, tc.spec, tc.status); got != tc.want {
				t.Errorf("%s\nvaultChanged: want %v, got %v", tc.reason, tc.want, got)
			}
		})
	}
}
