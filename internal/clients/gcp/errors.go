package gcp

import (
	"errors"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stateful-dev/provider-stateful/internal/clients/cleanerr"
)

// Code is the gRPC status code of err, or of the status it wraps (Unknown for an error that carries none).
func Code(err error) codes.Code { return status.Code(err) }

// IsNotFound reports whether Google Cloud answered NotFound.
func IsNotFound(err error) bool { return err != nil && Code(err) == codes.NotFound }

// IsAlreadyExists reports whether Google Cloud answered AlreadyExists.
func IsAlreadyExists(err error) bool { return err != nil && Code(err) == codes.AlreadyExists }

// IsInvalidInput reports whether Google Cloud rejected the request's input: retrying the same input cannot
// succeed, so it is terminal until the spec changes. That is InvalidArgument, and a FailedPrecondition that names
// the request's fields at fault (a BadRequest detail). Any other FailedPrecondition is about the state of
// something (a key being enabled, a topic being deleted, a permission being granted) that can change without the
// spec changing: it stays retryable.
func IsInvalidInput(err error) bool {
	if err == nil {
		return false
	}
	s, _ := status.FromError(err)
	switch s.Code() {
	case codes.InvalidArgument:
		return true
	case codes.FailedPrecondition:
		for _, d := range s.Details() {
			if _, ok := d.(*errdetails.BadRequest); ok {
				return true
			}
		}
	}
	return false
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

// Clean returns err as its status code and message only — the status's details (request IDs, debug info) and the
// transport's wording never reach a condition or an event — still unwrapping to err, so that what the cloud
// answered (its status code) is classified the same after cleaning as before.
func Clean(err error) error {
	if err == nil {
		return nil
	}
	// The status itself, not status.FromError's: for a wrapped status that one's message is the whole chain's text.
	var gs interface{ GRPCStatus() *status.Status }
	if !errors.As(err, &gs) || gs.GRPCStatus() == nil {
		return cleanerr.New("the request to Google Cloud failed", err)
	}
	s := gs.GRPCStatus()
	// The endpoint may be one a tenant chose: its message is quoted bounded and cleaned.
	return cleanerr.New(fmt.Sprintf("%s: %s", s.Code(), cleanerr.Text(s.Message())), err)
}
