package readonly_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stateful-dev/provider-stateful/internal/clients/readonly"
)

func TestOperation(t *testing.T) {
	type want struct {
		Op   string
		Read bool
		Body string
	}
	req := func(method, url, body string, h map[string]string) *http.Request {
		r, _ := http.NewRequest(method, url, strings.NewReader(body))
		for k, v := range h {
			r.Header.Set(k, v)
		}
		return r
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
	cases := map[string]struct {
		reason string
		r      *http.Request
		want   want
	}{
		"JSONRead": {reason: "X-Amz-Target names the operation", r: req("POST", "http://h/", "{}", map[string]string{"X-Amz-Target": "DynamoDB_20120810.DescribeTable"}),
			want: want{Op: "DescribeTable", Read: true, Body: "{}"}},
		"JSONWrite": {reason: "an operation outside the allow-list", r: req("POST", "http://h/", "{}", map[string]string{"X-Amz-Target": "AmazonSQS.SetQueueAttributes"}),
			want: want{Op: "SetQueueAttributes", Body: "{}"}},
		"JSONUnknown": {reason: "an operation the guard never heard of is refused", r: req("POST", "http://h/", "{}", map[string]string{"X-Amz-Target": "AmazonSQS.PurgeQueue"}),
			want: want{Op: "PurgeQueue", Body: "{}"}},
		"QueryRead": {reason: "the form's Action names the operation; the body is put back", r: req("POST", "http://h/", "Action=DescribeDBInstances&Version=2014-10-31", form),
			want: want{Op: "DescribeDBInstances", Read: true, Body: "Action=DescribeDBInstances&Version=2014-10-31"}},
		"QueryWrite": {reason: "a query-protocol write", r: req("POST", "http://h/", "Action=ModifyDBInstance&Version=2014-10-31", form),
			want: want{Op: "ModifyDBInstance", Body: "Action=ModifyDBInstance&Version=2014-10-31"}},
		"QueryNoAction": {reason: "a form that names no operation is refused", r: req("POST", "http://h/x", "Version=1", form),
			want: want{Op: "POST /x", Body: "Version=1"}},
		"RESTGet":    {reason: "a GET reads", r: req("GET", "http://h/b?versions", "", nil), want: want{Op: "GET /b", Read: true}},
		"RESTHead":   {reason: "a HEAD reads", r: req("HEAD", "http://h/b", "", nil), want: want{Op: "HEAD /b", Read: true}},
		"RESTPut":    {reason: "a PUT writes", r: req("PUT", "http://h/b", "", nil), want: want{Op: "PUT /b"}},
		"RESTPatch":  {reason: "a PATCH writes", r: req("PATCH", "http://h/storage/v1/b/x", "{}", nil), want: want{Op: "PATCH /storage/v1/b/x", Body: "{}"}},
		"RESTPost":   {reason: "a POST that is no form writes", r: req("POST", "http://h/b?delete", "<Delete/>", nil), want: want{Op: "POST /b", Body: "<Delete/>"}},
		"RESTDelete": {reason: "a DELETE writes", r: req("DELETE", "http://h/b", "", nil), want: want{Op: "DELETE /b"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			op, read, err := readonly.Operation(tc.r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(tc.r.Body)
			if diff := cmp.Diff(tc.want, want{Op: op, Read: read, Body: string(body)}); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
