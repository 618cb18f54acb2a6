package storage

import (
	"net/http"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"
)

// apiError is a JSON API error as the SDK returns it, with the reason Cloud Storage gives.
func apiError(code int, reason, msg string) error {
	return &googleapi.Error{Code: code, Message: msg, Errors: []googleapi.ErrorItem{{Reason: reason, Message: msg}},
		Header: http.Header{"X-Guploader-Uploadid": []string{"changes-every-call"}}}
}

func TestErrors(t *testing.T) {
	cases := map[string]struct {
		reason      string
		err         error
		wantMsg     string
		wantInvalid bool
		wantCode    int
	}{
		"BadRequest": {reason: "A 400 is refused input, also once cleaned and wrapped.", err: apiError(400, "invalid", "Invalid argument."),
			wantMsg: "400: Invalid argument.", wantInvalid: true, wantCode: 400},
		"PublicAccessPrevention": {reason: "An organisation policy's refusal is terminal, the constraint named.",
			err:         apiError(412, "conditionNotMet", "Request violates constraint 'constraints/storage.publicAccessPrevention'"),
			wantMsg:     "412: the organisation policy constraint constraints/storage.publicAccessPrevention forbids this bucket as specified: change the spec to comply with it, or have an administrator change the policy (Request violates constraint 'constraints/storage.publicAccessPrevention')",
			wantInvalid: true, wantCode: 412},
		"UniformAccess": {reason: "Any constraint, not one known list.",
			err:         apiError(412, "conditionNotMet", "Request violates constraint 'constraints/storage.uniformBucketLevelAccess'"),
			wantMsg:     "412: the organisation policy constraint constraints/storage.uniformBucketLevelAccess forbids this bucket as specified: change the spec to comply with it, or have an administrator change the policy (Request violates constraint 'constraints/storage.uniformBucketLevelAccess')",
			wantInvalid: true, wantCode: 412},
		"MetagenerationMismatch": {reason: "The retention lock's precondition stays retryable.", err: apiError(412, "conditionNotMet", "Precondition Failed"),
			wantMsg: "412: Precondition Failed", wantCode: 412},
		"Outage":       {reason: "A 503 is retryable.", err: apiError(503, "backendError", "Backend Error"), wantMsg: "503: Backend Error", wantCode: 503},
		"NoSuchBucket": {reason: "The SDK's sentinel keeps its meaning.", err: storage.ErrBucketNotExist, wantMsg: "404: the bucket does not exist"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := errors.Wrap(Clean(tc.err), "cannot create the bucket")
			if diff := cmp.Diff("cannot create the bucket: "+tc.wantMsg, got.Error()); diff != "" {
				t.Errorf("%s\nmessage: -want +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff([]any{tc.wantInvalid, tc.wantCode, errors.Is(tc.err, storage.ErrBucketNotExist)}, []any{IsInvalidInput(got), Code(got), IsNotFound(got)}); diff != "" {
				t.Errorf("%s\nIsInvalidInput, Code, IsNotFound after Clean and Wrap: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
