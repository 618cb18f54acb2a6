package bucket

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/s3/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
)

// TestFieldsCoverChanges holds the change list to the field table: a change of each group that can change names a
// declared field, the one expected, so a change the table does not know fails here.
func TestFieldsCoverChanges(t *testing.T) {
	if err := fields.Check(); err != nil {
		t.Fatal(err)
	}
	rules := []v1alpha1.LifecycleRule{{ID: "expire", ExpirationDays: aws.Int32(30)}}
	cors := []v1alpha1.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}}}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"*"}]}`
	cases := map[string]struct {
		reason string
		p      v1alpha1.BucketParameters
		o      observed
		want   []string
	}{
		"Versioning": {
			reason: "Enabled on a never-versioned bucket.",
			p:      v1alpha1.BucketParameters{Versioning: aws.String("Enabled")}, want: []string{"versioning"},
		},
		"Encryption": {
			reason: "Another algorithm.",
			p:      v1alpha1.BucketParameters{ServerSideEncryption: &v1alpha1.ServerSideEncryption{Algorithm: "aws:kms"}},
			o:      observed{sse: &v1alpha1.ServerSideEncryptionObservation{Algorithm: "AES256"}}, want: []string{"serverSideEncryption"},
		},
		"PublicAccessBlock": {
			reason: "A changed flag.",
			p:      v1alpha1.BucketParameters{PublicAccessBlock: &v1alpha1.PublicAccessBlock{BlockPublicACLs: ptr.To(true)}},
			o:      observed{pab: &v1alpha1.PublicAccessBlock{}}, want: []string{"publicAccessBlock"},
		},
		"ObjectOwnership": {
			reason: "Another setting.",
			p:      v1alpha1.BucketParameters{ObjectOwnership: aws.String("BucketOwnerEnforced")},
			o:      observed{ownership: "ObjectWriter"}, want: []string{"objectOwnership"},
		},
		"Lifecycle": {
			reason: "A rule S3 does not have.",
			p:      v1alpha1.BucketParameters{Lifecycle: &v1alpha1.Lifecycle{Rules: rules}}, want: []string{"lifecycle"},
		},
		"LifecycleCleared": {
			reason: "lifecycle: {} on a bucket with rules deletes them.",
			p:      v1alpha1.BucketParameters{Lifecycle: &v1alpha1.Lifecycle{}}, o: observed{lifecycle: rules}, want: []string{"lifecycle"},
		},
		"CORS": {
			reason: "A rule S3 does not have.",
			p:      v1alpha1.BucketParameters{CORS: &v1alpha1.CORS{Rules: cors}}, want: []string{"cors"},
		},
		"CORSCleared": {
			reason: "cors: {} on a bucket with rules deletes them.",
			p:      v1alpha1.BucketParameters{CORS: &v1alpha1.CORS{}}, o: observed{cors: cors}, want: []string{"cors"},
		},
		"Policy": {
			reason: "A policy on a bucket without one.",
			p:      v1alpha1.BucketParameters{Policy: aws.String(doc)}, want: []string{"policy"},
		},
		"PolicyDeleted": {
			reason: `policy: "" on a bucket with one deletes it.`,
			p:      v1alpha1.BucketParameters{Policy: aws.String("")}, o: observed{policy: `{"Statement":[],"Version":"2012-10-17"}`}, want: []string{"policy"},
		},
		"Everything": {
			reason: "Every group on a bare bucket, in apply order.",
			p: v1alpha1.BucketParameters{
				Versioning: aws.String("Enabled"), ServerSideEncryption: &v1alpha1.ServerSideEncryption{Algorithm: "AES256"},
				PublicAccessBlock: &v1alpha1.PublicAccessBlock{BlockPublicACLs: ptr.To(true)}, ObjectOwnership: aws.String("BucketOwnerEnforced"),
				Lifecycle: &v1alpha1.Lifecycle{Rules: rules}, CORS: &v1alpha1.CORS{Rules: cors}, Policy: aws.String(doc),
			},
			want: []string{"objectOwnership", "publicAccessBlock", "versioning", "serverSideEncryption", "lifecycle", "cors", "policy"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cs, err := configDiff("data", tc.p, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, kindtest.Declared(t, fields, cs.Fields())); diff != "" {
				t.Errorf("%s\ndeclared fields of the changes: -want +got:\n%s", tc.reason, diff)
			}
		})
	}

	// The diff Observe reports, tags included, split as the reconciler's is.
	t.Run("ObserveDiff", func(t *testing.T) {
		cr := bucket(withTags(map[string]string{"env": "prod"}), func(b *v1alpha1.Bucket) { b.Spec.ForProvider.Versioning = aws.String("Enabled") })
		f := &fake.S3{
			MockHeadBucket:       head("eu-west-1"),
			MockGetBucketTagging: tagging(ownedTags(map[string]string{"managed-by": "ps", "env": "dev", "stray": "x"})),
			MockGetBucketVersioning: func(*s3.GetBucketVersioningInput) (*s3.GetBucketVersioningOutput, error) {
				return &s3.GetBucketVersioningOutput{Status: types.BucketVersioningStatusSuspended}, nil
			},
		}
		e := newExternal(f, acct())
		o, err := e.Observe(context.Background(), cr)
		if err != nil {
			t.Fatal(err)
		}
		names := strings.Split(o.Diff, "; ")
		if diff := cmp.Diff([]string{"tags", "versioning"}, kindtest.Declared(t, fields, names)); diff != "" {
			t.Errorf("A changed tag and versioning: declared fields of the diff: -want +got:\n%s", diff)
		}
	})
}

// TestRefusedFields holds the table's refused fields to what the code refuses: a bucket in another region than the
// spec's, which Observe refuses (TestFieldTables holds them to the CRD's immutable fields).
func TestRefusedFields(t *testing.T) {
	cases := map[string]struct {
		reason string
		field  string
		cr     *v1alpha1.Bucket
		s3     *fake.S3
		errHas string
	}{
		"Region": {
			reason: "A bucket HeadBucket reports in another region is refused, not moved.",
			field:  "region", cr: bucket(withRegion("eu-west-1")),
			s3:     &fake.S3{MockHeadBucket: head("us-east-2"), MockGetBucketTagging: tagging(ownedTags(map[string]string{"managed-by": "ps"}))},
			errHas: "is in region us-east-2, not eu-west-1",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newExternal(tc.s3, acct())
			if _, err := e.Observe(context.Background(), tc.cr); err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("%s\nObserve: want an error containing %q, got %v", tc.reason, tc.errHas, err)
			}
			if f, _ := fields.Lookup(tc.field); f.Effect != managedkind.Refused {
				t.Errorf("%s\n%s is declared %q, want %q", tc.reason, tc.field, f.Effect, managedkind.Refused)
			}
		})
	}
}

// TestUnsetIsUnmanaged holds Observe to the table's Compare and Unset columns (kindtest.Unmanaged): a bucket whose
// every sub-configuration and tag differs from the spec's and from S3's defaults.
func TestUnsetIsUnmanaged(t *testing.T) {
	full := v1alpha1.BucketParameters{
		Region: "eu-west-1", Versioning: aws.String("Enabled"), ServerSideEncryption: &v1alpha1.ServerSideEncryption{Algorithm: "AES256"},
		PublicAccessBlock: &v1alpha1.PublicAccessBlock{BlockPublicACLs: ptr.To(true)}, ObjectOwnership: aws.String("BucketOwnerEnforced"),
		Lifecycle: &v1alpha1.Lifecycle{Rules: []v1alpha1.LifecycleRule{{ID: "expire", ExpirationDays: aws.Int32(30)}}},
		CORS:      &v1alpha1.CORS{Rules: []v1alpha1.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}}}},
		Policy:    aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"*"}]}`),
		Tags:      map[string]string{"team": "a"},
	}
	cloud := &fake.S3{
		MockHeadBucket:       head("eu-west-1"),
		MockGetBucketTagging: tagging(ownedTags(map[string]string{"managed-by": "ps", "team": "b"})),
		MockGetBucketVersioning: func(*s3.GetBucketVersioningInput) (*s3.GetBucketVersioningOutput, error) {
			return &s3.GetBucketVersioningOutput{Status: types.BucketVersioningStatusSuspended}, nil
		},
		MockGetBucketEncryption: func(*s3.GetBucketEncryptionInput) (*s3.GetBucketEncryptionOutput, error) {
			return &s3.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
				Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms}}},
			}}, nil
		},
		MockGetPublicAccessBlock: func(*s3.GetPublicAccessBlockInput) (*s3.GetPublicAccessBlockOutput, error) {
			return &s3.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(false)}}, nil
		},
		MockGetBucketOwnershipControls: func(*s3.GetBucketOwnershipControlsInput) (*s3.GetBucketOwnershipControlsOutput, error) {
			return &s3.GetBucketOwnershipControlsOutput{OwnershipControls: &types.OwnershipControls{
				Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}},
			}}, nil
		},
		MockGetBucketLifecycleConfiguration: func(*s3.GetBucketLifecycleConfigurationInput) (*s3.GetBucketLifecycleConfigurationOutput, error) {
			return &s3.GetBucketLifecycleConfigurationOutput{Rules: []types.LifecycleRule{{
				ID: aws.String("old"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(7)},
			}}}, nil
		},
		MockGetBucketCors: func(*s3.GetBucketCorsInput) (*s3.GetBucketCorsOutput, error) {
			return &s3.GetBucketCorsOutput{CORSRules: []types.CORSRule{{AllowedMethods: []string{"PUT"}, AllowedOrigins: []string{"https://a.example"}}}}, nil
		},
		MockGetBucketPolicy: func(*s3.GetBucketPolicyInput) (*s3.GetBucketPolicyOutput, error) {
			return &s3.GetBucketPolicyOutput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`)}, nil
		},
	}
	kindtest.Unmanaged(t, fields, func(p v1alpha1.BucketParameters) ([]string, error) {
		cr := bucket(func(b *v1alpha1.Bucket) { b.Spec.ForProvider = p })
		o, err := newExternal(cloud, acct()).Observe(context.Background(), cr)
		return kindtest.DiffNames(o.Diff), err
	}, full)
}

// TestTerminalErrors holds the table's terminal errors to what the kind classifies as rejected input.
func TestTerminalErrors(t *testing.T) {
	kindtest.Terminal(t, fields, Kind().Rejects, func(code string) error {
		return awstest.APIError("Update", http.StatusBadRequest, code, "refused")
	})
}
