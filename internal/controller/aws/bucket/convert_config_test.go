package bucket

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

func TestConfigDiff(t *testing.T) {
	rules := []v1alpha1.LifecycleRule{{ID: "expire", ExpirationDays: aws.Int32(30)}}
	cases := map[string]struct {
		reason string
		p      v1alpha1.BucketParameters
		o      observed
		want   []string
	}{
		"Unmanaged": {
			reason: "Unset spec fields are never compared, whatever the cloud has.",
			o:      observed{versioning: "Enabled", ownership: "ObjectWriter", policy: `{"x":1}`},
		},
		"NeverVersioned": {
			reason: "Suspended matches a bucket that was never versioned.",
			p:      v1alpha1.BucketParameters{Versioning: aws.String("Suspended")},
		},
		"VersioningDiffers": {
			reason: "Enabled does not match a never-versioned bucket.",
			p:      v1alpha1.BucketParameters{Versioning: aws.String("Enabled")}, want: []string{groupVersioning},
		},
		"PABUnset": {
			reason: "A missing public access block reads as all false.",
			p:      v1alpha1.BucketParameters{PublicAccessBlock: &v1alpha1.PublicAccessBlock{}},
		},
		"PABDiffers": {
			reason: "A changed flag differs.",
			p:      v1alpha1.BucketParameters{PublicAccessBlock: &v1alpha1.PublicAccessBlock{BlockPublicACLs: ptr.To(true)}},
			o:      observed{pab: &v1alpha1.PublicAccessBlock{}}, want: []string{groupPAB},
		},
		"KMSKeyIDvsARN": {
			reason: "A KMS key ID matches the same key's ARN.",
			p:      v1alpha1.BucketParameters{ServerSideEncryption: &v1alpha1.ServerSideEncryption{Algorithm: "aws:kms", KMSKeyID: aws.String("1234abcd")}},
			o:      observed{sse: &v1alpha1.ServerSideEncryptionObservation{Algorithm: "aws:kms", KMSKeyID: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd"}},
		},
		"KMSAliasVsAliasARN": {
			reason: "An alias matches the alias ARN S3 reports for it.",
			p:      v1alpha1.BucketParameters{ServerSideEncryption: &v1alpha1.ServerSideEncryption{Algorithm: "aws:kms", KMSKeyID: aws.String("alias/reports")}},
			o:      observed{sse: &v1alpha1.ServerSideEncryptionObservation{Algorithm: "aws:kms", KMSKeyID: "arn:aws:kms:eu-west-1:123456789012:alias/reports"}},
		},
		"KMSAliasVsAnotherAlias": {
			reason: "Another alias's ARN is another key.",
			p:      v1alpha1.BucketParameters{ServerSideEncryption: &v1alpha1.ServerSideEncryption{Algorithm: "aws:kms", KMSKeyID: aws.String("alias/reports")}},
			o:      observed{sse: &v1alpha1.ServerSideEncryptionObservation{Algorithm: "aws:kms", KMSKeyID: "arn:aws:kms:eu-west-1:123456789012:alias/team/reports"}},
			want:   []string{groupSSE},
		},
		"KMSAliasVsKeyID": {
			reason: "An alias and a key ARN cannot be matched without asking KMS (the provider has none): a difference, as the README says.",
			p:      v1alpha1.BucketParameters{ServerSideEncryption: &v1alpha1.ServerSideEncryption{Algorithm: "aws:kms", KMSKeyID: aws.String("alias/reports")}},
			o:      observed{sse: &v1alpha1.ServerSideEncryptionObservation{Algorithm: "aws:kms", KMSKeyID: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd"}},
			want:   []string{groupSSE},
		},
		"SSEMissing": {
			reason: "No observed encryption differs from a desired one.",
			p:      v1alpha1.BucketParameters{ServerSideEncryption: &v1alpha1.ServerSideEncryption{Algorithm: "AES256"}}, want: []string{groupSSE},
		},
		"LifecycleDefaults": {
			reason: "Defaults S3 fills in (Enabled, empty prefix) are not differences.",
			p:      v1alpha1.BucketParameters{Lifecycle: &v1alpha1.Lifecycle{Rules: rules}},
			o:      observed{lifecycle: lifecycleFromSDK(lifecycleToSDK(rules))},
		},
		"LifecycleEmptyManaged": {
			reason: "An empty rule list is managed: existing rules differ.",
			p:      v1alpha1.BucketParameters{Lifecycle: &v1alpha1.Lifecycle{}},
			o:      observed{lifecycle: rules}, want: []string{groupLifecycle},
		},
		"CORSSetOrder": {
			reason: "Lists inside a CORS rule are sets.",
			p:      v1alpha1.BucketParameters{CORS: &v1alpha1.CORS{Rules: []v1alpha1.CORSRule{{AllowedMethods: []string{"GET", "PUT"}, AllowedOrigins: []string{"*"}}}}},
			o:      observed{cors: []v1alpha1.CORSRule{{AllowedMethods: []string{"PUT", "GET"}, AllowedOrigins: []string{"*"}}}},
		},
		"PolicyRemoved": {
			reason: "An empty policy is managed: an existing policy differs.",
			p:      v1alpha1.BucketParameters{Policy: aws.String("")},
			o:      observed{policy: `{"Statement":[]}`}, want: []string{groupPolicy},
		},
		"Order": {
			reason: "Differences come in apply order: ownership and public access block before the policy.",
			p: v1alpha1.BucketParameters{
				Policy: aws.String(`{"Statement":[]}`), ObjectOwnership: aws.String("BucketOwnerEnforced"),
				PublicAccessBlock: &v1alpha1.PublicAccessBlock{BlockPublicPolicy: ptr.To(true)},
			},
			want: []string{groupOwnership, groupPAB, groupPolicy},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := configDiff("b", tc.p, tc.o)
			if err != nil {
				t.Fatalf("%s\nconfigDiff: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, got.Fields(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nconfigDiff: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
	if _, err := configDiff("b", v1alpha1.BucketParameters{Policy: aws.String("{not json")}, observed{}); err == nil {
		t.Errorf("an invalid desired policy must be an error")
	}
}

func TestLifecycleRoundTrip(t *testing.T) {
	rules := []v1alpha1.LifecycleRule{{
		ID: "all", Enabled: aws.Bool(false), Prefix: aws.String("logs/"),
		ExpirationDays: aws.Int32(365), NoncurrentVersionExpirationDays: aws.Int32(30), AbortIncompleteMultipartUploadDays: aws.Int32(7),
		Transitions:                  []v1alpha1.Transition{{Days: 90, StorageClass: "GLACIER"}, {Days: 30, StorageClass: "STANDARD_IA"}},
		NoncurrentVersionTransitions: []v1alpha1.Transition{{Days: 10, StorageClass: "GLACIER_IR"}},
	}}
	if diff := cmp.Diff(normalizeLifecycle(rules), normalizeLifecycle(lifecycleFromSDK(lifecycleToSDK(rules)))); diff != "" {
		t.Errorf("spec -> SDK -> spec must round-trip: -want +got:\n%s", diff)
	}
}

func TestConfigChanges(t *testing.T) {
	p := v1alpha1.BucketParameters{Policy: aws.String(""), Versioning: aws.String("Enabled"), CORS: &v1alpha1.CORS{}}
	want := changes{
		{Field: groupVersioning, Request: request{Versioning: &s3.PutBucketVersioningInput{Bucket: aws.String("b"), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}}},
		{Field: groupCORS, Request: request{DeleteCORS: &s3.DeleteBucketCorsInput{Bucket: aws.String("b")}}},
		{Field: groupPolicy, Request: request{DeletePolicy: &s3.DeleteBucketPolicyInput{Bucket: aws.String("b")}}},
	}
	ignore := cmpopts.IgnoreUnexported(s3.PutBucketVersioningInput{}, s3.DeleteBucketCorsInput{}, s3.DeleteBucketPolicyInput{}, types.VersioningConfiguration{})
	if diff := cmp.Diff(want, configChanges("b", p), ignore); diff != "" {
		t.Errorf("A new bucket is sent every set sub-configuration in apply order, none as a delete: -want +got:\n%s", diff)
	}
}
