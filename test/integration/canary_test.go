//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	ddbv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	rdsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

var (
	canaryMu sync.Mutex
	// canaries are secrets the tests handed the provider: static key secrets, KV secrets, Vault tokens and AppRole
	// secret IDs. None may ever appear in a log line, an event, a status or a metric.
	canaries = []string{vaultRootToken, "canary-secret", "canary-vault-"}
)

// canary registers a secret the provider is given.
func canary(s string) {
	canaryMu.Lock()
	defer canaryMu.Unlock()
	canaries = append(canaries, s)
}

// sweepCanaries looks for every canary in everything the provider wrote during the whole run: its debug log, the
// events, every managed resource and config that still exists, and the metrics. DB passwords are canaries too.
func sweepCanaries(ctx context.Context) error {
	var where []string
	check := func(what, text string) {
		canaryMu.Lock()
		defer canaryMu.Unlock()
		for _, c := range canaries {
			if strings.Contains(text, c) {
				where = append(where, fmt.Sprintf("%s holds a secret (%.6s...)", what, c))
			}
		}
	}
	logs, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "_output", "integration", "provider.log"))
	if err != nil {
		return err
	}
	check("the provider's debug log", string(logs))
	lists := map[string]client.ObjectList{
		"events": &corev1.EventList{}, "Buckets": &s3v1alpha1.BucketList{},
		"ClusterProviderConfigs": &v1alpha1.ClusterProviderConfigList{}, "ProviderConfigs": &v1alpha1.ProviderConfigList{},
		"Queues": &sqsv1alpha1.QueueList{}, "DBInstances": &rdsv1alpha1.DBInstanceList{}, "Tables": &ddbv1alpha1.TableList{},
	}
	for what, l := range lists {
		if err := kube.List(ctx, l); err != nil {
			return err
		}
		b, _ := json.Marshal(l)
		// Objects' specs hold no secret (Secrets are referenced); statuses, conditions and events must not either.
		check(what, string(b))
	}
	mfs, err := metrics.Registry.Gather()
	if err != nil {
		return err
	}
	check("the metrics", fmt.Sprint(mfs))
	if len(where) > 0 {
		return fmt.Errorf("secrets leaked:\n  %s", strings.Join(where, "\n  "))
	}
	return nil
}
