//go:build integration

package integration

import (
	"bytes"
	"testing"

	"k8s.io/utils/ptr"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

// Default encryption given by KMS alias converges (the AWS-managed alias/aws/s3: the default shared config admits
// no other). moto reports the alias as it was set; S3 reports it as the
// alias's ARN (arn:aws:kms:<region>:<account>:alias/<name>), so the proxy respells moto's answers as S3 does. Before
// the alias and its ARN were compared as one key, each poll saw a difference and sent PutBucketEncryption again.
func TestBucketKMSAliasConverges(t *testing.T) {
	t.Parallel()
	ns, name := namespace(t), "kms-alias-"+suffix()
	proxy.Rewrite("GetBucketEncryption", name, -1, func(status int, body []byte) (int, []byte) {
		return status, bytes.ReplaceAll(body, []byte(">alias/aws/s3<"), []byte(">arn:aws:kms:eu-west-1:123456789012:alias/aws/s3<"))
	})
	create(t, bucket(ns, name, func(b *s3v1alpha1.Bucket) {
		b.Spec.ForProvider.ServerSideEncryption = &s3v1alpha1.ServerSideEncryption{Algorithm: "aws:kms", KMSKeyID: ptr.To("alias/aws/s3")}
	}))
	waitMR(t, ns, name, "Ready", func() *s3v1alpha1.Bucket { return &s3v1alpha1.Bucket{} }, readySynced[*s3v1alpha1.Bucket])
	if got := get(t, ns, name).Status.AtProvider.ServerSideEncryption; got == nil || got.KMSKeyID != "arn:aws:kms:eu-west-1:123456789012:alias/aws/s3" {
		t.Fatalf("the observation does not carry S3's spelling (the proxy's rewrite): %+v", got)
	}
	waitPolls(t, "GetBucketEncryption", name, 3)
	if n := proxy.Count("PutBucketEncryption", name); n != 1 {
		t.Errorf("PutBucketEncryption calls: want 1 (the create's), got %d", n)
	}
}
