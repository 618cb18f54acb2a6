package bucket

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

func pos(n, limit int32) *int32 {
	if n == 0 {
		return nil
	}
	if n < 0 {
		n = -n
	}
	return aws.Int32(n%limit + 1)
}

// FuzzConfigInSync: a spec applied to S3, and read back the way S3 reports it (zero days and false markers left
// out, lists in another order, the KMS key as an ARN), compares equal — the provider never sends it again.
func FuzzConfigInSync(f *testing.F) {
	f.Add("expire", "logs/", true, int32(30), int32(0), int32(7), int32(90), "GET,PUT", "https://a.example,https://b.example", "x-amz-meta", int32(600), "1234abcd")
	f.Add("", "", false, int32(0), int32(5), int32(0), int32(0), "GET", "*", "", int32(0), "")
	f.Fuzz(func(t *testing.T, id, prefix string, enabled bool, exp, noncurrent, abort, transition int32, methods, origins, headers string, maxAge int32, kmsKey string) {
		rule := v1alpha1.LifecycleRule{
			ID: id, Enabled: aws.Bool(enabled), Prefix: aws.String(prefix), ExpirationDays: pos(exp, 3650),
			NoncurrentVersionExpirationDays: pos(noncurrent, 3650), AbortIncompleteMultipartUploadDays: pos(abort, 365),
		}
		if d := pos(transition, 3650); d != nil {
			rule.Transitions = []v1alpha1.Transition{{Days: *d, StorageClass: "GLACIER"}, {Days: *d + 30, StorageClass: "DEEP_ARCHIVE"}}
		}
		cors := v1alpha1.CORSRule{AllowedMethods: split(methods), AllowedOrigins: split(origins), AllowedHeaders: split(headers), MaxAgeSeconds: pos(maxAge, 86400)}
		p := v1alpha1.BucketParameters{
			Lifecycle: &v1alpha1.Lifecycle{Rules: []v1alpha1.LifecycleRule{rule}},
			CORS:      &v1alpha1.CORS{Rules: []v1alpha1.CORSRule{cors}},
		}
		if kmsKey != "" && !strings.ContainsAny(kmsKey, ":/") {
			p.ServerSideEncryption = &v1alpha1.ServerSideEncryption{Algorithm: "aws:kms", KMSKeyID: aws.String(kmsKey)}
		}

		// What S3 returns: the rules through its own types, transitions and CORS lists reordered.
		sdk := lifecycleToSDK(p.Lifecycle.Rules)
		for i := range sdk {
			slices.Reverse(sdk[i].Transitions)
		}
		sdkCORS := corsToSDK(p.CORS.Rules)
		for i := range sdkCORS {
			for _, l := range []*[]string{&sdkCORS[i].AllowedMethods, &sdkCORS[i].AllowedOrigins, &sdkCORS[i].AllowedHeaders} {
				*l = slices.Clone(*l)
				slices.Reverse(*l)
			}
		}
		o := observed{lifecycle: lifecycleFromSDK(sdk), cors: corsFromSDK(sdkCORS)}
		if p.ServerSideEncryption != nil {
			o.sse = sseFromSDK(&types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{
				SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("arn:aws:kms:eu-west-1:123456789012:key/" + kmsKey),
			}}}})
		}
		cs, err := configDiff("b", p, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 0 {
			t.Fatalf("applied and read back, the spec still differs in %v", cs.Fields())
		}
	})
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
