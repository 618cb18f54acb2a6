package harness

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestOperation(t *testing.T) {
	cases := map[string]struct {
		reason, svc, method, target, body string
		wantOp, wantBucket                string
	}{
		"HeadBucket":   {reason: "HEAD on a bucket.", svc: "s3", method: "HEAD", target: "/b", wantOp: "HeadBucket", wantBucket: "b"},
		"CreateBucket": {reason: "PUT on a bucket without sub-resource.", svc: "s3", method: "PUT", target: "/b", wantOp: "CreateBucket", wantBucket: "b"},
		"PutTagging":   {reason: "PUT ?tagging.", svc: "s3", method: "PUT", target: "/b?tagging", wantOp: "PutBucketTagging", wantBucket: "b"},
		"GetPolicy":    {reason: "GET ?policy.", svc: "s3", method: "GET", target: "/b?policy", wantOp: "GetBucketPolicy", wantBucket: "b"},
		"DeleteCors":   {reason: "DELETE ?cors.", svc: "s3", method: "DELETE", target: "/b?cors", wantOp: "DeleteBucketCors", wantBucket: "b"},
		"Versions":     {reason: "GET ?versions lists object versions.", svc: "s3", method: "GET", target: "/b?versions", wantOp: "ListObjectVersions", wantBucket: "b"},
		"DeleteObjs":   {reason: "POST ?delete.", svc: "s3", method: "POST", target: "/b?delete", wantOp: "DeleteObjects", wantBucket: "b"},
		"PutObject":    {reason: "PUT with a key.", svc: "s3", method: "PUT", target: "/b/k", wantOp: "PutObject", wantBucket: "b"},
		"QueryForm":    {reason: "STS names the action in the form body.", svc: "sts", method: "POST", target: "/", body: "Action=AssumeRole&Version=2011-06-15", wantOp: "AssumeRole"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			op, b := operation(tc.svc, r, []byte(tc.body))
			if op != tc.wantOp || b != tc.wantBucket {
				t.Errorf("%s\noperation: want %s on %q, got %s on %q", tc.reason, tc.wantOp, tc.wantBucket, op, b)
			}
		})
	}
}
