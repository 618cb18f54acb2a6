package v1alpha1

import (
	"reflect"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// Package type metadata.
const (
	Group   = "rds.aws.stateful.dev"
	Version = "v1alpha1"
)

var (
	// SchemeGroupVersion is the group version used to register these objects.
	SchemeGroupVersion = schema.GroupVersion{Group: Group, Version: Version}

	// SchemeBuilder is used to add Go types to the GroupVersionKind scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: SchemeGroupVersion}
)

// DBInstance type metadata.
var (
	DBInstanceKind             = reflect.TypeOf(DBInstance{}).Name()
	DBInstanceGroupKind        = schema.GroupKind{Group: Group, Kind: DBInstanceKind}.String()
	DBInstanceGroupVersionKind = SchemeGroupVersion.WithKind(DBInstanceKind)
)

func init() {
	SchemeBuilder.Register(&DBInstance{}, &DBInstanceList{})
}
