package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// RepoRoot returns the repository root, found from this source file.
func RepoRoot() string {
	_, f, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(f), "..", "..", ".."))
}

// NewEnvtest returns an envtest environment with the provider's CRDs, running the kube-apiserver and etcd that
// hack/build-k8s.sh built (KUBEBUILDER_ASSETS). It refuses to run without them rather than skip.
func NewEnvtest() (*envtest.Environment, error) {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		return nil, fmt.Errorf("KUBEBUILDER_ASSETS is not set: run the integration tests with `make integration`, which builds the control plane")
	}
	return &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(RepoRoot(), "package", "crds")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
	}, nil
}

// auditPolicy records who touched which Secret (metadata only: never a Secret's data) and nothing else.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    resources: [{group: "", resources: [secrets]}]
  - level: None
`

// WithSecretAudit makes env's kube-apiserver write an audit log of every Secret request to logPath, so tests can
// check which Secrets the provider read or wrote, and that it never listed or watched them.
func WithSecretAudit(env *envtest.Environment, logPath string) error {
	policy := filepath.Join(filepath.Dir(logPath), "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o600); err != nil {
		return err
	}
	_ = os.Remove(logPath)
	env.ControlPlane.GetAPIServer().Configure().
		Set("audit-policy-file", policy).
		Set("audit-log-path", logPath).
		Set("audit-log-format", "json")
	return nil
}

// An AuditEvent is one Secret request in the audit log.
type AuditEvent struct {
	Verb       string `json:"verb"`
	RequestURI string `json:"requestURI"`
	UserAgent  string `json:"userAgent"`
	ObjectRef  struct {
		Resource  string `json:"resource"`
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	} `json:"objectRef"`
}

// ReadAudit returns the events of the audit log whose user agent starts with agent.
func ReadAudit(logPath, agent string) ([]AuditEvent, error) {
	b, err := os.ReadFile(logPath)
	if err != nil {
		return nil, err
	}
	var out []AuditEvent
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" {
			continue
		}
		var e AuditEvent
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			continue
		}
		if strings.HasPrefix(e.UserAgent, agent) {
			out = append(out, e)
		}
	}
	return out, nil
}
