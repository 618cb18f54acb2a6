package bucket

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

func TestTagsToPut(t *testing.T) {
	got := tagsToPut(
		map[string]string{"b": "2", "a": "1"},
		map[string]string{"a": "old", "org/owner": "finance", "aws:cloudformation:stack-id": "x", "stray": "y"},
		[]string{"aws:", "org/"},
	)
	want := []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")},
		{Key: aws.String("b"), Value: aws.String("2")},
		{Key: aws.String("org/owner"), Value: aws.String("finance")},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(types.Tag{})); diff != "" {
		t.Errorf("tagsToPut keeps desired and ignored (non-aws:) tags, drops strays, sorted: -want +got:\n%s", diff)
	}
}

func TestARNAndEndpoint(t *testing.T) {
	cases := map[string]struct {
		reason, region string
		ep             *apisv1alpha1.AWSEndpoint
		arn, endpoint  string
	}{
		"AWS":       {reason: "Commercial regions use the aws partition and virtual-hosted URLs.", region: "eu-west-1", arn: "arn:aws:s3:::data", endpoint: "https://data.s3.eu-west-1.amazonaws.com"},
		"China":     {reason: "China regions use aws-cn.", region: "cn-north-1", arn: "arn:aws-cn:s3:::data", endpoint: "https://data.s3.cn-north-1.amazonaws.com"},
		"GovCloud":  {reason: "GovCloud uses aws-us-gov.", region: "us-gov-west-1", arn: "arn:aws-us-gov:s3:::data", endpoint: "https://data.s3.us-gov-west-1.amazonaws.com"},
		"PathStyle": {reason: "A path-style override puts the bucket in the path.", region: "eu-west-1", ep: &apisv1alpha1.AWSEndpoint{URL: "http://127.0.0.1:5000/", S3UsePathStyle: true}, arn: "arn:aws:s3:::data", endpoint: "http://127.0.0.1:5000/data"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cd := connectionDetails(tc.region, "data", tc.ep)
			got := map[string]string{}
			for k, v := range cd {
				got[k] = string(v)
			}
			want := map[string]string{ConnBucket: "data", ConnRegion: tc.region, ConnARN: tc.arn, ConnEndpoint: tc.endpoint}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s\nconnectionDetails(...): -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreateInput(t *testing.T) {
	cases := map[string]struct {
		reason string
		region string
		want   *s3.CreateBucketInput
	}{
		"USEast1": {reason: "us-east-1 is sent without a location constraint.", region: "us-east-1", want: &s3.CreateBucketInput{Bucket: aws.String("data")}},
		"Other": {reason: "Other regions are sent as the location constraint.", region: "eu-west-1", want: &s3.CreateBucketInput{
			Bucket: aws.String("data"), CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"},
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, createInput("data", tc.region), cmpopts.IgnoreUnexported(s3.CreateBucketInput{}, types.CreateBucketConfiguration{})); diff != "" {
				t.Errorf("%s\ncreateInput(...): -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
