//go:build integration

package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"k8s.io/utils/ptr"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

func policyFor(name, action string) string {
	// Written the way people write policies: one-element arrays, odd key order, whitespace.
	return `{
  "Statement": [ { "Resource": ["arn:aws:s3:::` + name + `/*"], "Action": ["` + action + `"], "Effect": "Deny",
                   "Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": false}} } ],
  "Version": "2012-10-17"
}`
}

// Every field group is applied on create, changed on update, and reported in status.
func TestBucketFieldGroups(t *testing.T) {
	ns, name := namespace(t), "groups-"+suffix()
	ctx := context.Background()
	b := bucket(ns, name)
	p := &b.Spec.ForProvider
	p.Versioning = aws.String("Enabled")
	p.ServerSideEncryption = &s3v1alpha1.ServerSideEncryption{Algorithm: "AES256"}
	p.PublicAccessBlock = &s3v1alpha1.PublicAccessBlock{BlockPublicACLs: ptr.To(true), IgnorePublicACLs: ptr.To(true)}
	p.ObjectOwnership = aws.String("BucketOwnerEnforced")
	p.Lifecycle = &s3v1alpha1.Lifecycle{Rules: []s3v1alpha1.LifecycleRule{{ID: "expire-logs", Prefix: aws.String("logs/"), ExpirationDays: aws.Int32(30)}}}
	p.CORS = &s3v1alpha1.CORS{Rules: []s3v1alpha1.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://example.com"}}}}
	p.Policy = aws.String(policyFor(name, "s3:GetObject"))
	create(t, b)
	b = waitReady(t, ns, name)

	if v, _ := direct.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(name)}); v.Status != types.BucketVersioningStatusEnabled {
		t.Errorf("versioning in moto: %q", v.Status)
	}
	if pab, err := direct.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(name)}); err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) {
		t.Errorf("public access block in moto: %v", err)
	}
	if lc, err := direct.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(name)}); err != nil || len(lc.Rules) != 1 {
		t.Errorf("lifecycle in moto: %v", err)
	}
	if _, err := direct.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(name)}); err != nil {
		t.Errorf("policy in moto: %v", err)
	}
	st := b.Status.AtProvider
	if st.Versioning != "Enabled" || st.ObjectOwnership != "BucketOwnerEnforced" || st.ServerSideEncryption == nil || st.CORSRuleCount != 1 ||
		len(st.LifecycleRuleIDs) != 1 || !strings.Contains(st.Policy, "s3:GetObject") {
		t.Errorf("status.atProvider does not report every managed group: %+v", st)
	}

	// A policy written differently from how S3 returns it causes no update over three polls.
	puts := proxy.Count("PutBucketPolicy", name)
	heads := proxy.Count("HeadBucket", name)
	eventually(t, "three polls", func() (bool, string) { return proxy.Count("HeadBucket", name)-heads >= 3, "" })
	if n := proxy.Count("PutBucketPolicy", name) - puts; n != 0 {
		t.Errorf("PutBucketPolicy while the policy means the same: %d calls", n)
	}
	if got := proxy.Mutating(name); len(got) != 1+1+7 { // CreateBucket, PutBucketTagging, one put per group.
		t.Errorf("mutating calls to Ready and through three polls: want 9, got %d", len(got))
	}

	// Change every group: each reaches the cloud.
	update(t, ns, name, func(b *s3v1alpha1.Bucket) {
		p := &b.Spec.ForProvider
		p.Versioning = aws.String("Suspended")
		p.PublicAccessBlock.BlockPublicPolicy = ptr.To(true)
		p.ObjectOwnership = aws.String("BucketOwnerPreferred")
		p.Lifecycle.Rules = nil
		p.CORS.Rules[0].AllowedMethods = []string{"GET", "HEAD"}
		p.Policy = aws.String(policyFor(name, "s3:PutObject"))
	})
	eventually(t, "every group updated in moto", func() (bool, string) {
		v, _ := direct.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(name)})
		pab, _ := direct.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(name)})
		oc, _ := direct.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(name)})
		_, lcErr := direct.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(name)})
		cors, _ := direct.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(name)})
		pol, _ := direct.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(name)})
		switch {
		case v == nil || v.Status != types.BucketVersioningStatusSuspended:
			return false, "versioning"
		case pab == nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicPolicy):
			return false, "publicAccessBlock"
		case oc == nil || oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerPreferred:
			return false, "objectOwnership"
		case lcErr == nil:
			return false, "lifecycle still set"
		case cors == nil || len(cors.CORSRules) != 1 || len(cors.CORSRules[0].AllowedMethods) != 2:
			return false, "cors"
		case pol == nil || !strings.Contains(aws.ToString(pol.Policy), "s3:PutObject"):
			return false, "policy"
		}
		return true, ""
	})

	// Drift in a sub-configuration is reverted.
	if _, err := direct.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "versioning drift reverted", func() (bool, string) {
		v, _ := direct.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(name)})
		return v != nil && v.Status == types.BucketVersioningStatusSuspended, string(v.Status)
	})
}

// forceDestroy removes every version and delete marker, then the bucket.
func TestBucketForceDestroy(t *testing.T) {
	ns, name := namespace(t), "force-"+suffix()
	ctx := context.Background()
	b := bucket(ns, name)
	b.Spec.ForProvider.Versioning = aws.String("Enabled")
	b.Spec.ForProvider.ForceDestroy = ptr.To(true)
	create(t, b)
	b = waitReady(t, ns, name)
	for i := 0; i < 3; i++ {
		if _, err := direct.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := direct.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: aws.String("k")}); err != nil { // a delete marker
		t.Fatal(err)
	}
	deleteAndWaitGone(t, b)
	if cloudExists(name) {
		t.Errorf("bucket with forceDestroy still exists")
	}
}
