package bucket

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// Connection detail keys a Bucket publishes.
const (
	ConnBucket   = "bucket"
	ConnRegion   = "region"
	ConnARN      = "arn"
	ConnEndpoint = "endpoint"
)

// tagsToPut is the tag set to send with PutBucketTagging, which replaces every tag: the desired tags plus the
// observed ones under ignored prefixes, so that tags owned by other tools survive.
//
// NOTE: S3 refuses keys starting with "aws:" in PutBucketTagging, so those cannot be carried over; AWS keeps the
// tags it owns (e.g. CloudFormation's) itself.
func tagsToPut(desired, observed map[string]string, ignore []string) []types.Tag {
	all := make(map[string]string, len(desired))
	for k, v := range observed {
		if managedkind.Ignored(k, ignore) && !strings.HasPrefix(k, "aws:") {
			all[k] = v
		}
	}
	for k, v := range desired {
		all[k] = v
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]types.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(all[k])})
	}
	return out
}

// tagMap converts S3's tag list to a map.
func tagMap(tags []types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// arn returns the bucket's ARN in the region's partition.
func arn(region, name string) string {
	partition := "aws"
	switch {
	case strings.HasPrefix(region, "cn-"):
		partition = "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		partition = "aws-us-gov"
	}
	return "arn:" + partition + ":s3:::" + name
}

// endpoint returns the URL clients reach the bucket at.
func endpoint(region, name string, ep *apisv1alpha1.AWSEndpoint) string {
	switch {
	case ep != nil && ep.S3UsePathStyle:
		return strings.TrimSuffix(ep.URL, "/") + "/" + name
	case ep != nil:
		return ep.URL
	default:
		return "https://" + name + ".s3." + region + ".amazonaws.com"
	}
}

// connectionDetails are what a Bucket publishes to its connection Secret.
func connectionDetails(region, name string, ep *apisv1alpha1.AWSEndpoint) managed.ConnectionDetails {
	return managed.ConnectionDetails{
		ConnBucket:   []byte(name),
		ConnRegion:   []byte(region),
		ConnARN:      []byte(arn(region, name)),
		ConnEndpoint: []byte(endpoint(region, name, ep)),
	}
}

// createInput builds the CreateBucket request.
//
// NOTE: us-east-1 is S3's default location and must not be sent as a LocationConstraint (S3 answers
// InvalidLocationConstraint).
func createInput(name, region string) *s3.CreateBucketInput {
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(region)}
	}
	return in
}

// equalJSON compares two values by their JSON form, which is how the API server stores them: nil and empty
// slices, and unset pointers, are the same thing there.
func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// References lists what the Bucket names that the provider does not make: its default encryption's KMS key.
func References(cr *v1alpha1.Bucket) []credentials.Reference {
	if e := cr.Spec.ForProvider.ServerSideEncryption; e != nil {
		return []credentials.Reference{{List: "kmsKeys", Field: "spec.forProvider.serverSideEncryption.kmsKeyID", Value: ptr.Deref(e.KMSKeyID, "")}}
	}
	return nil
}

// deletion is what deleting the Bucket does: S3 deletes only an empty bucket, so without forceDestroy one that holds
// objects is refused, and stays.
func deletion(cr *v1alpha1.Bucket) managedkind.Deletion {
	if ptr.Deref(cr.Spec.ForProvider.ForceDestroy, false) {
		return managedkind.Deletion{Deletes: true, What: "deletes every object version and delete marker in the bucket, then the bucket (forceDestroy)"}
	}
	return managedkind.Deletion{Deletes: true, What: "deletes the bucket if it is empty; one that holds objects is refused and stays " +
		"until it is emptied or forceDestroy is set"}
}
