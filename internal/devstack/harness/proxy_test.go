package harness

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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
		"RDSInstance":  {reason: "RDS calls name the instance.", svc: "rds", method: "POST", target: "/", body: "Action=ModifyDBInstance&DBInstanceIdentifier=db1", wantOp: "ModifyDBInstance", wantBucket: "db1"},
		"RDSTags":      {reason: "RDS tag calls name it by ARN.", svc: "rds", method: "POST", target: "/", body: "Action=AddTagsToResource&ResourceName=arn%3Aaws%3Ards%3Aeu-west-1%3A1%3Adb%3Adb1", wantOp: "AddTagsToResource", wantBucket: "db1"},
		"SQSByName":    {reason: "JSON-protocol SQS calls name the queue.", svc: "sqs", method: "POST", target: "/", body: `{"QueueName":"q1"}`, wantOp: "GetQueueUrl", wantBucket: "q1"},
		"DynamoDBTags": {reason: "DynamoDB tag calls name the table by ARN.", svc: "dynamodb", method: "POST", target: "/", body: `{"ResourceArn":"arn:aws:dynamodb:eu-west-1:1:table/t1"}`, wantOp: "TagResource", wantBucket: "t1"},
		"SQSByURL":     {reason: "... or give its URL.", svc: "sqs", method: "POST", target: "/", body: `{"QueueUrl":"http://x/123/q1"}`, wantOp: "GetQueueAttributes", wantBucket: "q1"},
		"GCSInsert":    {reason: "The Cloud Storage JSON API's bucket insert names the bucket in its body.", svc: "unsigned", method: "POST", target: "/storage/v1/b?project=p", body: `{"name":"b1"}`, wantOp: "InsertBucket", wantBucket: "b1"},
		"GCSGet":       {reason: "A bucket get.", svc: "unsigned", method: "GET", target: "/storage/v1/b/b1?alt=json", wantOp: "GetBucket", wantBucket: "b1"},
		"GCSPatch":     {reason: "A bucket patch.", svc: "unsigned", method: "PATCH", target: "/storage/v1/b/b1", wantOp: "PatchBucket", wantBucket: "b1"},
		"GCSLock":      {reason: "Locking the retention policy.", svc: "unsigned", method: "POST", target: "/storage/v1/b/b1/lockRetentionPolicy?ifMetagenerationMatch=3", wantOp: "LockRetentionPolicy", wantBucket: "b1"},
		"GCSObjects":   {reason: "Listing objects (every generation, for a forced delete).", svc: "unsigned", method: "GET", target: "/storage/v1/b/b1/o?versions=true", wantOp: "ListObjects", wantBucket: "b1"},
		"GCSDelObject": {reason: "Deleting an object generation.", svc: "unsigned", method: "DELETE", target: "/storage/v1/b/b1/o/a%2Fb?generation=7", wantOp: "DeleteObject", wantBucket: "b1"},
		"GCSUpload":    {reason: "An upload.", svc: "unsigned", method: "POST", target: "/upload/storage/v1/b/b1/o?uploadType=media&name=x", wantOp: "InsertObject", wantBucket: "b1"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.svc == "sqs" || tc.svc == "dynamodb" {
				r.Header.Set("X-Amz-Target", "Service."+tc.wantOp)
			}
			op, b := operation(tc.svc, r, []byte(tc.body))
			if op != tc.wantOp || b != tc.wantBucket {
				t.Errorf("%s\noperation: want %s on %q, got %s on %q", tc.reason, tc.wantOp, tc.wantBucket, op, b)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "real") }))
	defer backend.Close()
	p, err := StartProxy(backend.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// Requests signed for S3, as the SDK signs them, so the proxy can name the service.
	do := func(method, path string) (*http.Response, error) {
		req, _ := http.NewRequest(method, p.URL+path, http.NoBody)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x")
		return http.DefaultClient.Do(req)
	}
	head := func() (int, string) {
		resp, err := do(http.MethodHead, "/b")
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode, ""
	}
	get := func() (int, string) {
		resp, err := do(http.MethodGet, "/b/k")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	p.Respond("HeadBucket", "b", 503, "", 1)
	if s, _ := head(); s != 503 {
		t.Errorf("Respond: first HeadBucket want 503, got %d", s)
	}
	if s, _ := head(); s != 200 {
		t.Errorf("Respond: second HeadBucket is forwarded, got %d", s)
	}

	p.RespondFor("HeadBucket", "", 500, "", 50*time.Millisecond)
	if s, _ := head(); s != 500 {
		t.Errorf("RespondFor: within the window want 500, got %d", s)
	}
	time.Sleep(60 * time.Millisecond) // Waits out the fault window; asserts nothing by itself.
	if s, _ := head(); s != 200 {
		t.Errorf("RespondFor: after the window the request is forwarded, got %d", s)
	}

	p.Rewrite("GetObject", "b", 1, func(int, []byte) (int, []byte) { return 500, []byte("lost") })
	if s, body := get(); s != 500 || body != "lost" {
		t.Errorf("Rewrite: want 500 lost, got %d %q", s, body)
	}
	if s, body := get(); s != 200 || body != "real" {
		t.Errorf("Rewrite: second request is untouched, got %d %q", s, body)
	}
	if n := p.Count("HeadBucket", "b"); n != 4 {
		t.Errorf("Count: want 4 HeadBucket, got %d", n)
	}
}
