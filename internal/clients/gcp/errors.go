package gcp

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stateful-dev/provider-stateful/internal/clients/cleanerr"
)

// Code is the gRPC status code of err (Unknown for an error that is not a status).
func Code(err error) codes.Code { return status.Code(err) }

// IsNotFound reports whether Google Cloud answered NotFound.
func IsNotFound(err error) bool { return err != nil && Code(err) == codes.NotFound }

// IsAlreadyExists reports whether Google Cloud answered AlreadyExists.
func IsAlreadyExists(err error) bool { return err != nil && Code(err) == codes.AlreadyExists }

// IsInvalidInput reports whether Google Cloud rejected the request's input: retrying the same input cannot
// succeed, so it is terminal until the spec changes.
func IsInvalidInput(err error) bool {
	return err != nil && Code(err) == codes.InvalidArgument
}

// IsRefused reports whether Google Cloud answered the request itself with a refusal that sending it again cannot
// change: invalid input, no permission, or something it names that does not exist. Such an answer proves a create
// made nothing; Unavailable, DeadlineExceeded, ResourceExhausted and the like do not — the client retries some of
// them, and an earlier attempt may have been carried out with its answer lost.
func IsRefused(err error) bool {
	if err == nil {
		return false
	}
	switch Code(err) {
	case codes.InvalidArgument, codes.PermissionDenied, codes.Unauthenticated, codes.NotFound, codes.FailedPrecondition:
		return true
	}
	return false
}

// Clean returns err as its status code and message only: the status's details (request IDs, debug info) and the
// transport's wording never reach a condition or an event.
func Clean(err error) error {
	if err == nil {
		return nil
	}
	s, ok := status.FromError(err)
	if !ok {
		return errors.New("the request to Google Cloud failed")
	}
	// The endpoint may be one a tenant chose: its message is quoted bounded and cleaned.
	return errors.Errorf("%s: %s", s.Code(), cleanerr.Text(s.Message()))
}
