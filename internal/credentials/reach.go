package credentials

import (
	"path"
	"regexp"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// A Reference is something a managed resource names that the provider does not make — a KMS key, a subnet group —
// and that the identity of a ClusterProviderConfig may reach for every namespace it serves.
type Reference struct {
	// List is the allowedReferences list that must admit it ("kmsKeys", ...).
	List string
	// Field is the spec field that names it, for the refusal.
	Field string
	// Value is the name as the resource spells it.
	Value string
	// Caseless compares without case, for names the cloud treats so (RDS groups): "Team-A-PG" is team-a-pg.
	Caseless bool
}

// Reach is what managed resources may name through one config, beyond what they made. Accounts of a namespaced
// config have none (nil): the tenant's own credentials decide, as the cloud's IAM does.
type Reach struct {
	config  string // e.g. "ClusterProviderConfig default"
	section string // "aws" or "gcp"
	lists   map[string][]string
}

// awsManagedKey is the account's own AWS-managed keys (alias/aws/s3, ...): every namespace may use them, as it may
// leave encryption at the service's default.
const awsManagedKey = "alias/aws/*"

func newAWSReach(pc config, a *v1alpha1.AWSAllowedReferences) *Reach {
	if pc.namespace != "" {
		return nil
	}
	r := &Reach{config: pc.String(), section: "aws", lists: map[string][]string{}}
	if a != nil {
		r.lists["kmsKeys"] = a.KMSKeys
		r.lists["dbSubnetGroups"] = a.DBSubnetGroups
		r.lists["dbParameterGroups"] = a.DBParameterGroups
		r.lists["securityGroups"] = a.SecurityGroups
	}
	return r
}

func newGCPReach(pc config, a *v1alpha1.GCPAllowedReferences) *Reach {
	if pc.namespace != "" {
		return nil
	}
	r := &Reach{config: pc.String(), section: "gcp", lists: map[string][]string{}}
	if a != nil {
		r.lists["kmsKeys"] = a.KMSKeys
		r.lists["bigtableInstances"] = a.BigtableInstances
	}
	return r
}

// nextToNamespace finds a pattern where {namespace} runs into a character a namespace name may hold or a
// wildcard: "{namespace}-*" would let namespace team name team-a's resources. The CRD refuses the common cases;
// this is the provider's own check.
var nextToNamespace = regexp.MustCompile(`[-a-z0-9*?\]][{]namespace[}]|[{]namespace[}][-a-z0-9*?\[]`)

// Admit checks every reference against its list, for a managed resource of namespace ns. Empty values name
// nothing (the service's default) and pass.
func (r *Reach) Admit(ns string, refs ...Reference) error {
	if r == nil {
		return nil
	}
	for _, ref := range refs {
		if ref.Value == "" {
			continue
		}
		ok, err := r.admits(ref, ns)
		if err != nil {
			return err
		}
		if !ok {
			return errors.Errorf("%s %q is not allowed through %s: its spec.%s.allowedReferences.%s admits no such name for namespace %s (ask a platform administrator to add it, or use a namespaced ProviderConfig with credentials that may reach it)",
				ref.Field, ref.Value, r.config, r.section, ref.List, ns)
		}
	}
	return nil
}

func (r *Reach) admits(ref Reference, ns string) (bool, error) {
	v := ref.Value
	if ref.Caseless {
		v = strings.ToLower(v)
	}
	if ok, _ := path.Match(awsManagedKey, v); ok && r.section == "aws" && ref.List == "kmsKeys" {
		return true, nil
	}
	for i, p := range r.lists[ref.List] {
		if nextToNamespace.MatchString(p) {
			return false, errors.Errorf("%s: spec.%s.allowedReferences.%s[%d] %q puts a letter, digit, '-' or wildcard next to {namespace}, so one namespace's name could match another's: use '/', ':', '.' or '_' there", r.config, r.section, ref.List, i, p)
		}
		p = strings.ReplaceAll(p, "{namespace}", ns)
		if ref.Caseless {
			p = strings.ToLower(p)
		}
		ok, err := path.Match(p, v)
		if err != nil {
			return false, errors.Errorf("%s: spec.%s.allowedReferences.%s[%d] %q is not a valid pattern", r.config, r.section, ref.List, i, p)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}
