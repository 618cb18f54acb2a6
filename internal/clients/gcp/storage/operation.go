package storage

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Operation names a Cloud Storage JSON API request (https://cloud.google.com/storage/docs/json_api/v1): the method
// resource.verb spelled as the AWS operations are (InsertBucket, PatchBucket, ListObjects …), for the cloud-call
// metric and the test harness's recording proxy alike, and the bucket it is about (an insert's from its body,
// when given). ok is false for a request that is not one.
func Operation(r *http.Request, body []byte) (op, bucket string, ok bool) {
	path := r.URL.EscapedPath()
	upload := strings.HasPrefix(path, "/upload/storage/v1/")
	if !upload && !strings.HasPrefix(path, "/storage/v1/") {
		return "", "", false
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(path, "/upload"), "/storage/v1/")
	parts := strings.Split(rest, "/")
	if parts[0] != "b" {
		return r.Method + " " + r.URL.Path, "", true
	}
	if len(parts) == 1 || parts[1] == "" {
		if r.Method == http.MethodPost {
			var in struct{ Name string }
			_ = json.Unmarshal(body, &in)
			return "InsertBucket", in.Name, true
		}
		return "ListBuckets", "", true
	}
	bucket, _ = url.PathUnescape(parts[1])
	switch {
	case len(parts) == 2:
		return map[string]string{
			http.MethodGet: "GetBucket", http.MethodPatch: "PatchBucket", http.MethodPut: "UpdateBucket", http.MethodDelete: "DeleteBucket",
		}[r.Method], bucket, true
	case parts[2] == "lockRetentionPolicy":
		return "LockRetentionPolicy", bucket, true
	case parts[2] == "o" && (len(parts) == 3 || parts[3] == ""):
		if upload || r.Method == http.MethodPost {
			return "InsertObject", bucket, true
		}
		return "ListObjects", bucket, true
	case parts[2] == "o":
		return map[string]string{
			http.MethodGet: "GetObject", http.MethodHead: "GetObject", http.MethodPatch: "PatchObject", http.MethodDelete: "DeleteObject",
		}[r.Method], bucket, true
	}
	return r.Method + " " + r.URL.Path, bucket, true
}
