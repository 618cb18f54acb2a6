package kindtest

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// Declared resolves each name of a change list to the declared field that explains it, and fails the test on a
// name the kind's table does not know: a change the plan and the docs could not explain.
func Declared(t *testing.T, fields managedkind.Fields, names []string) []string {
	t.Helper()
	if u := fields.Unknown(names); len(u) > 0 {
		t.Fatalf("changes %v are not declared in the kind's fields.go", u)
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		f, _ := fields.Lookup(n)
		out = append(out, f.Path)
	}
	return out
}

// Terminal holds the table's Terminal column to the kind's classification of rejected input (Kind.Rejects): the
// answer the cloud gives with each code a field declares terminal (answer builds it as the SDK returns it) is
// rejected input, so the reconciler records InputRejected and stops resending the change until the spec changes.
func Terminal(t *testing.T, fields managedkind.Fields, rejects func(error) bool, answer func(code string) error) {
	t.Helper()
	for _, f := range fields {
		for _, code := range f.Terminal {
			if !rejects(answer(code)) {
				t.Errorf("%s declares %s terminal, but the kind's classification retries it", f.Path, code)
			}
		}
	}
}

// GRPCStatus is the error a gRPC API answers with the status a table's Terminal names ("InvalidArgument"), for
// Terminal; a name that is no gRPC code is an Unknown status.
func GRPCStatus(code string) error {
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		if c.String() == code {
			return status.Error(c, "refused")
		}
	}
	return status.Error(codes.Unknown, code)
}
