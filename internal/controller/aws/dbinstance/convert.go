package dbinstance

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// Connection detail keys a DBInstance publishes.
const (
	ConnEndpoint = "endpoint"
	ConnPort     = "port"
	ConnUsername = "username"
	ConnPassword = "password"
	ConnDatabase = "database"
	// ConnURI is a URL for the engine's clients: postgres://... or mysql://...
	ConnURI = "uri"
	// ConnDSN is the engine's native connection string: libpq keywords, or Go's mysql driver form.
	ConnDSN = "dsn"
)

// statusAvailable is the only state in which the provider sends a ModifyDBInstance.
const statusAvailable = "available"

// versionSatisfied reports whether the running version satisfies the requested one: equal, or the request is a
// prefix at a dot ("16" by "16.4", "8.0" by "8.0.35"), or — while automatic minor upgrades are on — a newer
// minor of the same major version ("16.4" by "16.8", "8.0.35" by "8.0.36"): RDS upgraded it, and asking for the
// older one again would be a downgrade RDS refuses, every poll. A lower version is an upgrade to make.
func versionSatisfied(engine, want, got string, autoMinor bool) bool {
	if want == got || strings.HasPrefix(got, want+".") {
		return true
	}
	if !autoMinor || got == "" {
		return false
	}
	w, g := strings.Split(want, "."), strings.Split(got, ".")
	major := majorParts(engine)
	if len(w) <= major || len(g) <= major || strings.Join(w[:major], ".") != strings.Join(g[:major], ".") {
		return false
	}
	for i := major; i < len(w); i++ {
		if i >= len(g) {
			return false
		}
		wn, werr := strconv.Atoi(w[i])
		gn, gerr := strconv.Atoi(g[i])
		if werr != nil || gerr != nil {
			return false // not numbers (e.g. "8.0.mysql_aurora..."): only the exact forms above count
		}
		if gn != wn {
			return gn > wn
		}
	}
	return true
}

// majorParts is how many leading parts of a version name its major version: "16" for PostgreSQL 10 and later,
// "8.0" for MySQL and "10.11" for MariaDB.
func majorParts(engine string) int {
	if engine == "postgres" {
		return 1
	}
	return 2
}

// A modification is one field's part of the ModifyDBInstanceInput: RDS takes every change in one request.
type modification func(*rds.ModifyDBInstanceInput)

// changes is the DBInstance's change list.
type changes = managedkind.Changes[modification]

// diff lists, by field name, the managed fields whose observed value differs from the spec, each with its part of
// the ModifyDBInstance. A field whose desired value is already pending (waiting for the maintenance window) does
// not count: sending it again changes nothing.
func diff(p v1alpha1.DBInstanceParameters, o types.DBInstance) changes {
	pend := o.PendingModifiedValues
	if pend == nil {
		pend = &types.PendingModifiedValues{}
	}
	var d changes
	add := func(name string, differs bool, m modification) {
		if differs {
			d.Add(name, m)
		}
	}
	if p.EngineVersion != nil {
		auto := o.AutoMinorVersionUpgrade == nil || *o.AutoMinorVersionUpgrade
		add("engineVersion", !versionSatisfied(p.Engine, *p.EngineVersion, aws.ToString(o.EngineVersion), auto) &&
			!versionSatisfied(p.Engine, *p.EngineVersion, aws.ToString(pend.EngineVersion), auto),
			func(in *rds.ModifyDBInstanceInput) {
				// A request for a major version is a deliberate spec change.
				in.EngineVersion, in.AllowMajorVersionUpgrade = p.EngineVersion, aws.Bool(true)
			})
	}
	add("dbInstanceClass", p.DBInstanceClass != aws.ToString(o.DBInstanceClass) && p.DBInstanceClass != aws.ToString(pend.DBInstanceClass),
		func(in *rds.ModifyDBInstanceInput) { in.DBInstanceClass = aws.String(p.DBInstanceClass) })
	// RDS never shrinks storage, and storage autoscaling grows it past the spec: the spec's size is a floor.
	add("allocatedStorage", p.AllocatedStorage != nil && aws.ToInt32(o.AllocatedStorage) < *p.AllocatedStorage &&
		(pend.AllocatedStorage == nil || *pend.AllocatedStorage < *p.AllocatedStorage),
		func(in *rds.ModifyDBInstanceInput) { in.AllocatedStorage = p.AllocatedStorage })
	add("storageType", p.StorageType != nil && *p.StorageType != aws.ToString(o.StorageType) && *p.StorageType != aws.ToString(pend.StorageType),
		func(in *rds.ModifyDBInstanceInput) { in.StorageType = p.StorageType })
	add("iops", differsInt(p.IOPS, o.Iops, pend.Iops), func(in *rds.ModifyDBInstanceInput) { in.Iops = p.IOPS })
	add("storageThroughput", differsInt(p.StorageThroughput, o.StorageThroughput, pend.StorageThroughput),
		func(in *rds.ModifyDBInstanceInput) { in.StorageThroughput = p.StorageThroughput })
	add("maxAllocatedStorage", differsInt(p.MaxAllocatedStorage, o.MaxAllocatedStorage, nil),
		func(in *rds.ModifyDBInstanceInput) { in.MaxAllocatedStorage = p.MaxAllocatedStorage })
	add("port", differsInt(p.Port, o.DbInstancePort, pend.Port) && (o.Endpoint == nil || differsInt(p.Port, o.Endpoint.Port, nil)),
		func(in *rds.ModifyDBInstanceInput) { in.DBPortNumber = p.Port })
	add("multiAZ", p.MultiAZ != nil && *p.MultiAZ != aws.ToBool(o.MultiAZ) && (pend.MultiAZ == nil || *p.MultiAZ != *pend.MultiAZ),
		func(in *rds.ModifyDBInstanceInput) { in.MultiAZ = p.MultiAZ })
	add("publiclyAccessible", p.PubliclyAccessible != nil && *p.PubliclyAccessible != aws.ToBool(o.PubliclyAccessible),
		func(in *rds.ModifyDBInstanceInput) { in.PubliclyAccessible = p.PubliclyAccessible })
	add("backupRetentionPeriod", differsInt(p.BackupRetentionPeriod, o.BackupRetentionPeriod, pend.BackupRetentionPeriod),
		func(in *rds.ModifyDBInstanceInput) { in.BackupRetentionPeriod = p.BackupRetentionPeriod })
	add("preferredBackupWindow", p.PreferredBackupWindow != nil && *p.PreferredBackupWindow != aws.ToString(o.PreferredBackupWindow),
		func(in *rds.ModifyDBInstanceInput) { in.PreferredBackupWindow = p.PreferredBackupWindow })
	// RDS stores the maintenance window lower-cased ("sun:03:00-sun:04:00"). Both sides go through the lowering
	// the update sends: strings.EqualFold is not strings.ToLower for every rune (found by FuzzInSyncAfterRDS).
	add("preferredMaintenanceWindow", p.PreferredMaintenanceWindow != nil &&
		aws.ToString(lower(p.PreferredMaintenanceWindow)) != strings.ToLower(aws.ToString(o.PreferredMaintenanceWindow)),
		func(in *rds.ModifyDBInstanceInput) {
			in.PreferredMaintenanceWindow = lower(p.PreferredMaintenanceWindow)
		})
	add("deletionProtection", p.DeletionProtection != nil && *p.DeletionProtection != aws.ToBool(o.DeletionProtection),
		func(in *rds.ModifyDBInstanceInput) { in.DeletionProtection = p.DeletionProtection })
	add("dbParameterGroupName", p.DBParameterGroupName != nil && !hasParameterGroup(o.DBParameterGroups, *p.DBParameterGroupName),
		func(in *rds.ModifyDBInstanceInput) { in.DBParameterGroupName = p.DBParameterGroupName })
	add("vpcSecurityGroupIDs", p.VPCSecurityGroupIDs != nil && !sameSet(p.VPCSecurityGroupIDs, securityGroups(o.VpcSecurityGroups)),
		func(in *rds.ModifyDBInstanceInput) { in.VpcSecurityGroupIds = p.VPCSecurityGroupIDs })
	return d
}

// differsInt: the spec sets want and neither the running nor the pending value is it.
func differsInt(want, got, pending *int32) bool {
	if want == nil {
		return false
	}
	return *want != aws.ToInt32(got) && (pending == nil || *want != *pending)
}

// hasParameterGroup: RDS stores parameter group names lower-cased, and compares them without case.
func hasParameterGroup(gs []types.DBParameterGroupStatus, name string) bool {
	for _, g := range gs {
		if strings.EqualFold(aws.ToString(g.DBParameterGroupName), name) {
			return true
		}
	}
	return false
}

func securityGroups(ms []types.VpcSecurityGroupMembership) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		if s := aws.ToString(m.Status); s == "" || s == "active" || s == "adding" {
			out = append(out, aws.ToString(m.VpcSecurityGroupId))
		}
	}
	return out
}

func sameSet(a, b []string) bool { return sets.New(a...).Equal(sets.New(b...)) }

// createInput is the CreateDBInstance request.
func createInput(id string, p v1alpha1.DBInstanceParameters, password string, tags map[string]string) *rds.CreateDBInstanceInput {
	in := &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String(p.Engine), DBInstanceClass: aws.String(p.DBInstanceClass),
		EngineVersion: p.EngineVersion, AllocatedStorage: p.AllocatedStorage, StorageType: p.StorageType, Iops: p.IOPS,
		StorageThroughput: p.StorageThroughput, MaxAllocatedStorage: p.MaxAllocatedStorage,
		MasterUsername: aws.String(p.MasterUsername), MasterUserPassword: aws.String(password), DBName: p.DBName, Port: p.Port,
		MultiAZ: p.MultiAZ, PubliclyAccessible: p.PubliclyAccessible, BackupRetentionPeriod: p.BackupRetentionPeriod,
		PreferredBackupWindow: p.PreferredBackupWindow, PreferredMaintenanceWindow: lower(p.PreferredMaintenanceWindow),
		DeletionProtection: p.DeletionProtection, DBParameterGroupName: p.DBParameterGroupName, DBSubnetGroupName: p.DBSubnetGroupName,
		VpcSecurityGroupIds: p.VPCSecurityGroupIDs, KmsKeyId: p.KMSKeyID, StorageEncrypted: p.StorageEncrypted, Tags: tagList(tags),
	}
	if p.KMSKeyID != nil {
		in.StorageEncrypted = aws.Bool(true)
	}
	return in
}

// modifyInput is the one ModifyDBInstance request for every change, plus a new password when one is given.
func modifyInput(id string, p v1alpha1.DBInstanceParameters, cs changes, password string) *rds.ModifyDBInstanceInput {
	in := &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(id), ApplyImmediately: p.ApplyImmediately}
	for _, m := range cs.Requests() {
		m(in)
	}
	if password != "" {
		in.MasterUserPassword = aws.String(password)
	}
	return in
}

func lower(s *string) *string {
	if s == nil {
		return nil
	}
	return aws.String(strings.ToLower(*s))
}

func tagList(tags map[string]string) []types.Tag {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]types.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

func tagMap(tags []types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// observation is the instance as RDS reports it, without anything secret.
func observation(o types.DBInstance) v1alpha1.DBInstanceObservation {
	obs := v1alpha1.DBInstanceObservation{
		ARN: aws.ToString(o.DBInstanceArn), Status: aws.ToString(o.DBInstanceStatus), EngineVersion: aws.ToString(o.EngineVersion),
		DBInstanceClass: aws.ToString(o.DBInstanceClass), AllocatedStorage: aws.ToInt32(o.AllocatedStorage), Tags: tagMap(o.TagList),
		StorageType: aws.ToString(o.StorageType), BackupRetentionPeriod: o.BackupRetentionPeriod, MultiAZ: o.MultiAZ,
		DeletionProtection: o.DeletionProtection,
	}
	if o.Endpoint != nil {
		obs.Address, obs.Port = aws.ToString(o.Endpoint.Address), aws.ToInt32(o.Endpoint.Port)
	}
	if p := o.PendingModifiedValues; p != nil {
		m := map[string]string{}
		put := func(k string, v *string) {
			if v != nil {
				m[k] = *v
			}
		}
		putInt := func(k string, v *int32) {
			if v != nil {
				m[k] = strconv.Itoa(int(*v))
			}
		}
		put("dbInstanceClass", p.DBInstanceClass)
		put("engineVersion", p.EngineVersion)
		put("storageType", p.StorageType)
		putInt("allocatedStorage", p.AllocatedStorage)
		putInt("iops", p.Iops)
		putInt("port", p.Port)
		putInt("backupRetentionPeriod", p.BackupRetentionPeriod)
		if p.MultiAZ != nil {
			m["multiAZ"] = strconv.FormatBool(*p.MultiAZ)
		}
		if p.MasterUserPassword != nil {
			// RDS reports a pending password as "****"; say only that one is pending.
			m["masterUserPassword"] = "pending"
		}
		if len(m) > 0 {
			obs.PendingModifiedValues = m
		}
	}
	return obs
}

// connectionDetails are what an application needs to connect, password included: they go only to the
// connection Secret.
func connectionDetails(engine, user, password, database, host string, port int32) managed.ConnectionDetails {
	d := managed.ConnectionDetails{ConnUsername: []byte(user), ConnDatabase: []byte(database)}
	if password != "" {
		d[ConnPassword] = []byte(password)
	}
	if host == "" {
		return d
	}
	ps := strconv.Itoa(int(port))
	d[ConnEndpoint], d[ConnPort] = []byte(host), []byte(ps)
	if password == "" {
		// No password the provider set: no URI or DSN that would carry a wrong one. What was published before stays.
		return d
	}
	scheme := "postgres"
	if engine != "postgres" {
		scheme = "mysql"
	}
	u := url.URL{Scheme: scheme, User: url.UserPassword(user, password), Host: net.JoinHostPort(host, ps), Path: "/" + database}
	if scheme == "postgres" {
		u.RawQuery = "sslmode=require"
		d[ConnDSN] = []byte(fmt.Sprintf("host=%s port=%s user=%s password=%s dbname=%s sslmode=require",
			host, ps, libpq(user), libpq(password), libpq(database)))
	} else {
		d[ConnDSN] = []byte(fmt.Sprintf("%s:%s@tcp(%s)/%s?tls=true", user, password, net.JoinHostPort(host, ps), database))
	}
	d[ConnURI] = []byte(u.String())
	return d
}

// libpq quotes a value for a libpq keyword/value connection string.
func libpq(v string) string {
	if v != "" && !strings.ContainsAny(v, ` '\`) {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// References lists what the DBInstance names that the provider does not make: its KMS key, subnet group,
// parameter group and security groups. RDS treats group names without case, and so does the check.
func References(cr *v1alpha1.DBInstance) []credentials.Reference {
	p := cr.Spec.ForProvider
	refs := []credentials.Reference{
		{List: "kmsKeys", Field: "spec.forProvider.kmsKeyID", Value: ptr.Deref(p.KMSKeyID, "")},
		{List: "dbSubnetGroups", Field: "spec.forProvider.dbSubnetGroupName", Value: ptr.Deref(p.DBSubnetGroupName, ""), Caseless: true},
		{List: "dbParameterGroups", Field: "spec.forProvider.dbParameterGroupName", Value: ptr.Deref(p.DBParameterGroupName, ""), Caseless: true},
	}
	for i, sg := range p.VPCSecurityGroupIDs {
		refs = append(refs, credentials.Reference{
			List: "securityGroups", Field: fmt.Sprintf("spec.forProvider.vpcSecurityGroupIDs[%d]", i), Value: sg, Caseless: true,
		})
	}
	return refs
}

// deletion is what deleting the DBInstance does (Delete): nothing until the spec decides about a final snapshot, and
// nothing while deletion protection is on unless the spec turns it off.
func deletion(cr *v1alpha1.DBInstance) managedkind.Deletion {
	p := cr.Spec.ForProvider
	if p.FinalSnapshot == nil {
		return managedkind.Deletion{What: "refused until spec.forProvider.finalSnapshot says what happens to the data " +
			"(skip: true, or a snapshot identifier): the instance stays"}
	}
	what := "instance and its data, with no final snapshot (finalSnapshot.skip)"
	if id := p.FinalSnapshot.Identifier; id != nil {
		what = "instance after a final snapshot named " + *id
	}
	return managedkind.Protected(p.DeletionProtection, "instance", what)
}
