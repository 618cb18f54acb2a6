//go:build integration

package integration

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
)

// TestAdmissionWarnings: `kubectl apply --dry-run=server` of a consequential edit prints the provider's warning,
// through the packaged webhook configuration and the provider's webhook server, and changes nothing; an edit in
// place prints none; a dry-run delete says what deleting does to the cloud resource. Nothing is ever denied.
func TestAdmissionWarnings(t *testing.T) {
	t.Parallel()
	ns, name := namespace(t), "warned-"+suffix()
	create(t, queue(ns, name, func(q *sqsv1alpha1.Queue) { q.Spec.ForProvider.MessageRetentionPeriod = ptr.To(int32(345600)) }))
	create(t, bucket(ns, name, func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.ForceDestroy = ptr.To(true) }))

	manifest := func(retention, visibility int) string {
		return "apiVersion: sqs.aws.stateful.dev/v1alpha1\nkind: Queue\nmetadata:\n  namespace: " + ns + "\n  name: " + name +
			"\nspec:\n  forProvider:\n    region: eu-west-1\n    messageRetentionPeriod: " + strconv.Itoa(retention) + "\n    visibilityTimeout: " + strconv.Itoa(visibility) + "\n"
	}
	// Shortening the retention deletes the messages already older: irreversible. The visibility timeout changes
	// in place: no word about it.
	out := kubectl(t, manifest(60, 45), "apply", "--server-side", "--force-conflicts", "--dry-run=server", "-f", "-")
	for _, want := range []string{
		"Warning: spec.forProvider.messageRetentionPeriod 345600 -> 60: irreversible, now (a shorter period deletes the messages already older than it",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("kubectl apply --dry-run=server does not warn %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "visibilityTimeout") {
		t.Errorf("a change applied in place was warned about:\n%s", out)
	}
	if q := getQueue(t, ns, name); *q.Spec.ForProvider.MessageRetentionPeriod != 345600 {
		t.Errorf("the dry run changed the queue: messageRetentionPeriod %d", *q.Spec.ForProvider.MessageRetentionPeriod)
	}
	if out := kubectl(t, manifest(345600, 45), "apply", "--server-side", "--force-conflicts", "--dry-run=server", "-f", "-"); strings.Contains(out, "Warning:") {
		t.Errorf("an edit in place was warned about:\n%s", out)
	}

	out = kubectl(t, "", "delete", "--dry-run=server", "-n", ns, "bucket.s3.aws.stateful.dev", name)
	if want := "Warning: deleting this resource deletes every object version and delete marker in the bucket, then the bucket (forceDestroy)"; !strings.Contains(out, want) {
		t.Errorf("kubectl delete --dry-run=server does not warn %q:\n%s", want, out)
	}
	if b := get(t, ns, name); b.DeletionTimestamp != nil {
		t.Error("the dry run deleted the bucket")
	}
}

// kubectl runs the control plane's kubectl as an administrator with stdin, and returns its output and errors.
func kubectl(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	u, err := testEnv.AddUser(envtest.User{Name: "webhook-reviewer", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := u.Kubectl()
	if err != nil {
		t.Fatal(err)
	}
	if stdin != "" {
		f := filepath.Join(t.TempDir(), "in.yaml")
		if err := os.WriteFile(f, []byte(stdin), 0o600); err != nil {
			t.Fatal(err)
		}
		for i, a := range args {
			if a == "-" {
				args[i] = f
			}
		}
	}
	stdout, stderr, err := k.Run(args...)
	o, _ := io.ReadAll(stdout)
	e, _ := io.ReadAll(stderr)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s%s", strings.Join(args, " "), err, o, e)
	}
	return string(o) + string(e)
}
