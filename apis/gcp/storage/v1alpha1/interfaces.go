//go:build !generate

package v1alpha1

import "github.com/crossplane/crossplane-runtime/v2/pkg/resource"

// Compile-time checks that the types satisfy the interfaces crossplane-runtime's reconcilers use. The generate
// build tag excludes this file: angryjet must load the package before it has written the methods checked here.
var (
	_ resource.ModernManaged = &Bucket{}
	_ resource.ManagedList   = &BucketList{}
)
