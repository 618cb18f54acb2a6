package harness

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/vault/api"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// StrictMotoBootstrapCalls is the INITIAL_NO_AUTH_ACTION_COUNT BootstrapStrictMoto needs: after that many
// unauthenticated calls moto accepts only requests signed with keys that exist in its IAM.
const StrictMotoBootstrapCalls = 5

// allowAll is the IAM policy the bootstrap identities get.
const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// BootstrapStrictMoto spends a strict moto's unauthenticated calls on an admin user with an access key (returned)
// and a role "ps" that assumed_role credentials are for.
func BootstrapStrictMoto(ctx context.Context, motoURL string) (adminKey, adminSecret string, err error) {
	iam := func(params url.Values) ([]byte, error) {
		params.Set("Version", "2010-05-08")
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, motoURL+"/", strings.NewReader(params.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// moto routes by the signing scope; the bootstrap calls are not verified, so any signature will do.
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIABOOTSTRAP/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("moto IAM %s: HTTP %d", params.Get("Action"), resp.StatusCode)
		}
		return b, nil
	}
	for _, p := range []url.Values{
		{"Action": {"CreateUser"}, "UserName": {"admin"}},
		{"Action": {"PutUserPolicy"}, "UserName": {"admin"}, "PolicyName": {"all"}, "PolicyDocument": {allowAll}},
		// moto checks that assumed-role keys belong to an existing role.
		{"Action": {"CreateRole"}, "RoleName": {"ps"}, "AssumeRolePolicyDocument": {
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`,
		}},
		{"Action": {"PutRolePolicy"}, "RoleName": {"ps"}, "PolicyName": {"all"}, "PolicyDocument": {allowAll}},
	} {
		if _, err := iam(p); err != nil {
			return "", "", err
		}
	}
	b, err := iam(url.Values{"Action": {"CreateAccessKey"}, "UserName": {"admin"}})
	if err != nil {
		return "", "", err
	}
	var out struct {
		Key struct {
			ID     string `xml:"AccessKeyId"`
			Secret string `xml:"SecretAccessKey"`
		} `xml:"CreateAccessKeyResult>AccessKey"`
	}
	if err := xml.Unmarshal(b, &out); err != nil {
		return "", "", fmt.Errorf("cannot read moto's admin key: %w", err)
	}
	if out.Key.ID == "" {
		return "", "", errors.New("cannot read moto's admin key: the answer has none")
	}
	return out.Key.ID, out.Key.Secret, nil
}

// ConfigureVaultAWS mounts Vault's AWS secrets engine at mount, aimed at moto's IAM and STS with the admin key,
// with role "iam" (iam_user) and role "sts" (assumed_role of role ps).
func ConfigureVaultAWS(ctx context.Context, admin *api.Client, mount, motoURL, key, secret string) error {
	if err := admin.Sys().MountWithContext(ctx, mount, &api.MountInput{Type: "aws"}); err != nil {
		return err
	}
	for path, data := range map[string]map[string]any{
		mount + "/config/root": {"access_key": key, "secret_key": secret, "region": "us-east-1", "iam_endpoint": motoURL, "sts_endpoint": motoURL},
		mount + "/roles/iam":   {"credential_type": "iam_user", "policy_document": allowAll},
		mount + "/roles/sts":   {"credential_type": "assumed_role", "role_arns": "arn:aws:iam::123456789012:role/ps"},
	} {
		if _, err := admin.Logical().WriteWithContext(ctx, path, data); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// ConfigureVaultKubernetes enables Vault's Kubernetes auth at "kubernetes" (unless it is) against the API server cfg
// points at, with a token reviewer service account vault-system/vault-reviewer bound to system:auth-delegator.
func ConfigureVaultKubernetes(ctx context.Context, admin *api.Client, kube client.Client, cfg *rest.Config) error {
	for _, o := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "vault-system"}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "vault-system", Name: "vault-reviewer"}},
		&rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "vault-reviewer"},
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "system:auth-delegator"},
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: "vault-system", Name: "vault-reviewer"}},
		},
	} {
		if err := kube.Create(ctx, o); err != nil && !kerrors.IsAlreadyExists(err) {
			return err
		}
	}
	tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(24 * 3600))}}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "vault-system", Name: "vault-reviewer"}}
	if err := kube.SubResource("token").Create(ctx, sa, tr); err != nil {
		return err
	}
	// Once per Vault: a control plane rebuilt after a loss (the recovery test) configures the same mount again,
	// aimed at the new kube-apiserver.
	mounts, err := admin.Sys().ListAuthWithContext(ctx)
	if err != nil {
		return err
	}
	if _, ok := mounts["kubernetes/"]; !ok {
		if err := admin.Sys().EnableAuthWithOptionsWithContext(ctx, "kubernetes", &api.EnableAuthOptions{Type: "kubernetes"}); err != nil {
			return err
		}
	}
	host := cfg.Host
	if !strings.HasPrefix(host, "https://") {
		host = "https://" + host
	}
	_, err = admin.Logical().WriteWithContext(ctx, "auth/kubernetes/config", map[string]any{
		"kubernetes_host": host, "kubernetes_ca_cert": string(cfg.CAData),
		"token_reviewer_jwt": tr.Status.Token, "disable_iss_validation": true,
	})
	return err
}
