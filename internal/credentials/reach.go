package credentials

import (
	"fmt"
	"path"
	"regexp"
	"slices"
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
	config    string // e.g. "ClusterProviderConfig default"
	section   string // "aws" or "gcp"
	lists     map[string][]string
	adoptions map[string]v1alpha1.AdoptionRules
}

// awsManagedKey is the account's own AWS-managed keys (alias/aws/s3, ...): every namespace may use them, as it may
// leave encryption at the service's default.
const awsManagedKey = "alias/aws/*"

func newAWSReach(pc config, a *v1alpha1.AWSAllowedReferences, ad *v1alpha1.AWSAllowedAdoptions) *Reach {
	if pc.namespace != "" {
		return nil
	}
	r := &Reach{config: pc.String(), section: "aws", lists: map[string][]string{}, adoptions: map[string]v1alpha1.AdoptionRules{}}
	if a != nil {
		r.lists["kmsKeys"] = a.KMSKeys
		r.lists["dbSubnetGroups"] = a.DBSubnetGroups
		r.lists["dbParameterGroups"] = a.DBParameterGroups
		r.lists["securityGroups"] = a.SecurityGroups
	}
	if ad != nil {
		r.adoptions["buckets"] = ad.Buckets
		r.adoptions["queues"] = ad.Queues
		r.adoptions["dbInstances"] = ad.DBInstances
		r.adoptions["tables"] = ad.Tables
	}
	return r
}

func newGCPReach(pc config, a *v1alpha1.GCPAllowedReferences, ad *v1alpha1.GCPAllowedAdoptions) *Reach {
	if pc.namespace != "" {
		return nil
	}
	r := &Reach{config: pc.String(), section: "gcp", lists: map[string][]string{}, adoptions: map[string]v1alpha1.AdoptionRules{}}
	if a != nil {
		r.lists["kmsKeys"] = a.KMSKeys
		r.lists["bigtableInstances"] = a.BigtableInstances
	}
	if ad != nil {
		r.adoptions["buckets"] = ad.Buckets
		r.adoptions["topics"] = ad.Topics
		r.adoptions["subscriptions"] = ad.Subscriptions
		r.adoptions["bigtableTables"] = ad.BigtableTables
	}
	return r
}

// nextToNamespace finds a pattern where {namespace} runs into anything but the pattern's start or end or a
// character no namespace name holds: "{namespace}-*" would let namespace team name team-a's resources. A
// backslash is refused anywhere: no name holds one, and "{namespace}\-*" is "{namespace}-*" to path.Match. The
// CRD refuses the same patterns; this is the provider's own check.
var nextToNamespace = regexp.MustCompile(`[^/:._]\{namespace\}|\{namespace\}[^/:._]|\\`)

// anyName is the pattern that admits every name. path.Match's '*' stops at '/', so a key ARN
// (arn:aws:kms:...:key/...) would escape it; the API promises any name.
const anyName = "*"

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
			return errors.Errorf("%s %q is not allowed through %s: its spec.%s.allowedReferences.%s admits no such name for namespace %s "+
				"(ask a platform administrator to add it, or use a namespaced ProviderConfig with credentials that may reach it)",
				ref.Field, ref.Value, r.config, r.section, ref.List, ns)
		}
	}
	return nil
}

func (r *Reach) admits(ref Reference, ns string) (bool, error) {
	if ok, _ := path.Match(awsManagedKey, ref.Value); ok && r.section == "aws" && ref.List == "kmsKeys" {
		return true, nil
	}
	return r.match(r.lists[ref.List], "allowedReferences."+ref.List, ns, ref.Value, ref.Caseless)
}

// An Adoption is a managed resource's request to take over (spec.adoptExisting) or observe a cloud resource the
// provider may not have made.
type Adoption struct {
	// List is the allowedAdoptions list that must admit it ("buckets", ...).
	List string
	// Name is the cloud resource's name, as the list's patterns match it.
	Name string
	// Caseless compares without case, for names the cloud treats so (RDS identifiers).
	Caseless bool
}

// Adopts reports whether a managed resource of namespace ns may adopt or observe the cloud resource a names,
// through this config: always through a namespaced config (the tenant's own credentials decide), and through a
// shared one only where a rule of its allowedAdoptions admits the namespace and the name.
func (r *Reach) Adopts(ns string, a Adoption) (bool, error) {
	if r == nil {
		return true, nil
	}
	for i, rule := range r.adoptions[a.List] {
		if len(rule.Namespaces) > 0 && !slices.Contains(rule.Namespaces, ns) {
			continue
		}
		ok, err := r.match(rule.Names, fmt.Sprintf("allowedAdoptions.%s[%d].names", a.List, i), ns, a.Name, a.Caseless)
		if ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// AdoptionRefused is the refusal of an adoption Adopts did not admit.
func (r *Reach) AdoptionRefused(ns string, a Adoption) error {
	return errors.Errorf("adopting or observing %q, which the provider did not make, is not allowed through %s: "+
		"no rule of its spec.%s.allowedAdoptions.%s admits that name for namespace %s (ask a platform administrator to add one, "+
		"remove spec.adoptExisting and ObserveOnly to create a resource of another name, "+
		"or use a namespaced ProviderConfig with credentials that may reach it)",
		a.Name, r.config, r.section, a.List, ns)
}

// match reports whether one of patterns admits name for namespace ns; field names the list for a refusal of the
// config itself.
func (r *Reach) match(patterns []string, field, ns, name string, caseless bool) (bool, error) {
	if caseless {
		name = strings.ToLower(name)
	}
	for i, p := range patterns {
		if nextToNamespace.MatchString(p) {
			return false, errors.Errorf("%s: spec.%s.%s[%d] %q puts a letter, digit, '-', wildcard or backslash next to {namespace}, "+
				"or a backslash anywhere, so one namespace's name could match another's: use '/', ':', '.' or '_' there",
				r.config, r.section, field, i, p)
		}
		if p == anyName {
			return true, nil
		}
		p = strings.ReplaceAll(p, "{namespace}", ns)
		if caseless {
			p = strings.ToLower(p)
		}
		ok, err := path.Match(p, name)
		if err != nil {
			return false, errors.Errorf("%s: spec.%s.%s[%d] %q is not a valid pattern", r.config, r.section, field, i, p)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// ClusterAWSReach is the reach of a ClusterProviderConfig's AWS section, for tests of what reads it.
func ClusterAWSReach(name string, refs *v1alpha1.AWSAllowedReferences, adoptions *v1alpha1.AWSAllowedAdoptions) *Reach {
	return newAWSReach(config{kind: v1alpha1.ClusterProviderConfigKind, name: name}, refs, adoptions)
}
