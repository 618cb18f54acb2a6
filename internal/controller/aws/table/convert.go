package table

import (
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	"github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// Connection detail keys a Table publishes.
const (
	ConnTableName = "tableName"
	ConnARN       = "arn"
	ConnStreamARN = "streamArn"
)

const statusActive = "ACTIVE"

// A request is what one change sends. DynamoDB takes one change per UpdateTable and refuses the next until the
// table is ACTIVE again, so Update sends the first change of the list and the next poll the one after.
type request struct {
	// Exactly one of these is set.
	Table *dynamodb.UpdateTableInput
	TTL   *dynamodb.UpdateTimeToLiveInput
	PITR  *dynamodb.UpdateContinuousBackupsInput
}

// changes is the Table's change list.
type changes = managedkind.Changes[request]

// observed is what the provider reads of a table.
type observed struct {
	Table *types.TableDescription
	// TTL and PITR are nil when the spec does not manage them (not read).
	TTL  *types.TimeToLiveDescription
	PITR *types.PointInTimeRecoveryDescription
}

// indexBusy reports whether an index of an ACTIVE table is being built, backfilled, changed or removed. The table
// serves reads and writes meanwhile — a backfill takes hours on a large table — so it stays Ready; DynamoDB
// refuses further changes until the index is ACTIVE, so none is sent.
func indexBusy(t *types.TableDescription) (bool, string) {
	for _, g := range t.GlobalSecondaryIndexes {
		s := string(g.IndexStatus)
		if s == "" || s == statusActive {
			continue
		}
		why := "index " + aws.ToString(g.IndexName) + " is " + s
		if aws.ToBool(g.Backfilling) {
			why += " (backfilling)"
		}
		return true, why + ": further changes wait until it is ACTIVE"
	}
	return false, ""
}

func keySchema(hash string, rng *string) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}}
	if rng != nil {
		ks = append(ks, types.KeySchemaElement{AttributeName: rng, KeyType: types.KeyTypeRange})
	}
	return ks
}

func projection(p v1alpha1.Projection) *types.Projection {
	return &types.Projection{ProjectionType: types.ProjectionType(p.Type), NonKeyAttributes: p.NonKeyAttributes}
}

func throughput(t *v1alpha1.Throughput) *types.ProvisionedThroughput {
	if t == nil {
		return nil
	}
	return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(t.ReadCapacityUnits), WriteCapacityUnits: aws.Int64(t.WriteCapacityUnits)}
}

func attributeDefinitions(ds []v1alpha1.AttributeDefinition) []types.AttributeDefinition {
	out := make([]types.AttributeDefinition, 0, len(ds))
	for _, d := range ds {
		out = append(out, types.AttributeDefinition{AttributeName: aws.String(d.Name), AttributeType: types.ScalarAttributeType(d.Type)})
	}
	return out
}

func gsi(g v1alpha1.GlobalSecondaryIndex) types.GlobalSecondaryIndex {
	return types.GlobalSecondaryIndex{
		IndexName:             aws.String(g.IndexName),
		KeySchema:             keySchema(g.HashKey, g.RangeKey),
		Projection:            projection(g.Projection),
		ProvisionedThroughput: throughput(g.ProvisionedThroughput),
	}
}

func sseSpec(e *v1alpha1.TableEncryption) *types.SSESpecification {
	if e == nil {
		return nil
	}
	switch e.Type {
	case "OWNED":
		return &types.SSESpecification{Enabled: aws.Bool(false)}
	case "AWS_MANAGED":
		return &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms}
	default:
		return &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms, KMSMasterKeyId: e.KMSKeyID}
	}
}

func streamSpec(view *string) *types.StreamSpecification {
	if view == nil {
		return nil
	}
	if *view == "" {
		return &types.StreamSpecification{StreamEnabled: aws.Bool(false)}
	}
	return &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(*view)}
}

// definitionsFor returns the attribute definitions of the named attributes only: DynamoDB refuses definitions of
// attributes that are no key of the table or of the indexes in the same request.
func definitionsFor(ds []v1alpha1.AttributeDefinition, names ...string) []types.AttributeDefinition {
	used := map[string]bool{}
	for _, n := range names {
		used[n] = true
	}
	var keep []v1alpha1.AttributeDefinition
	for _, d := range ds {
		if used[d.Name] {
			keep = append(keep, d)
		}
	}
	return attributeDefinitions(keep)
}

// keyNames lists a hash key and an optional range key.
func keyNames(hash string, rng *string) []string {
	if rng == nil {
		return []string{hash}
	}
	return []string{hash, *rng}
}

// createInput is the CreateTable request: everything CreateTable takes. TTL and point-in-time recovery have their
// own APIs and follow once the table is ACTIVE.
func createInput(name string, p v1alpha1.TableParameters, tags map[string]string) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		KeySchema: keySchema(p.HashKey, p.RangeKey), BillingMode: types.BillingMode(createBillingMode(p)),
		ProvisionedThroughput: throughput(p.ProvisionedThroughput), StreamSpecification: streamSpec(p.StreamViewType),
		SSESpecification: sseSpec(p.ServerSideEncryption), DeletionProtectionEnabled: p.DeletionProtection,
	}
	if p.TableClass != nil {
		in.TableClass = types.TableClass(*p.TableClass)
	}
	if in.StreamSpecification != nil && !aws.ToBool(in.StreamSpecification.StreamEnabled) {
		in.StreamSpecification = nil // CreateTable refuses a disabled stream specification.
	}
	keys := keyNames(p.HashKey, p.RangeKey)
	for _, g := range p.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, gsi(g))
		keys = append(keys, keyNames(g.HashKey, g.RangeKey)...)
	}
	for _, l := range p.LocalSecondaryIndexes {
		keys = append(keys, l.RangeKey)
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName: aws.String(l.IndexName), KeySchema: keySchema(p.HashKey, &l.RangeKey), Projection: projection(l.Projection),
		})
	}
	in.AttributeDefinitions = definitionsFor(p.AttributeDefinitions, keys...)
	tagKeys := make([]string, 0, len(tags))
	for k := range tags {
		tagKeys = append(tagKeys, k)
	}
	sort.Strings(tagKeys)
	for _, k := range tagKeys {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return in
}

// diff lists, in the order they are applied, the steps from o to the spec.
func diff(name string, p v1alpha1.TableParameters, o observed) (changes, error) {
	t := o.Table
	var out changes
	upd := func(n string, f func(*dynamodb.UpdateTableInput)) {
		in := &dynamodb.UpdateTableInput{TableName: aws.String(name)}
		f(in)
		out.Add(n, request{Table: in})
	}
	if ks := t.KeySchema; !sameKeys(ks, p.HashKey, p.RangeKey) {
		return nil, errors.Errorf("table %q has another key schema than the spec: keys cannot change", name)
	}

	mode := observedBillingMode(t)
	switch {
	case p.BillingMode != "" && p.BillingMode != mode:
		upd("billingMode", func(in *dynamodb.UpdateTableInput) {
			in.BillingMode = types.BillingMode(p.BillingMode)
			in.ProvisionedThroughput = throughput(p.ProvisionedThroughput)
			if p.BillingMode == string(types.BillingModeProvisioned) {
				// Switching to PROVISIONED needs every index's throughput in the same call.
				for _, g := range p.GlobalSecondaryIndexes {
					if existsIndex(t, g.IndexName) && g.ProvisionedThroughput != nil {
						in.GlobalSecondaryIndexUpdates = append(in.GlobalSecondaryIndexUpdates, types.GlobalSecondaryIndexUpdate{
							Update: &types.UpdateGlobalSecondaryIndexAction{
								IndexName:             aws.String(g.IndexName),
								ProvisionedThroughput: throughput(g.ProvisionedThroughput),
							},
						})
					}
				}
			}
		})
	case mode == string(types.BillingModeProvisioned) && p.ProvisionedThroughput != nil && !sameThroughput(p.ProvisionedThroughput, t.ProvisionedThroughput):
		upd("provisionedThroughput", func(in *dynamodb.UpdateTableInput) {
			in.ProvisionedThroughput = targetThroughput(p.ProvisionedThroughput, t.ProvisionedThroughput)
		})
	}
	if p.TableClass != nil && *p.TableClass != observedTableClass(t) {
		upd("tableClass", func(in *dynamodb.UpdateTableInput) { in.TableClass = types.TableClass(*p.TableClass) })
	}
	if p.DeletionProtection != nil && *p.DeletionProtection != aws.ToBool(t.DeletionProtectionEnabled) {
		upd("deletionProtection", func(in *dynamodb.UpdateTableInput) { in.DeletionProtectionEnabled = p.DeletionProtection })
	}
	if p.StreamViewType != nil && !sameStream(*p.StreamViewType, t.StreamSpecification) {
		upd("streamViewType", func(in *dynamodb.UpdateTableInput) { in.StreamSpecification = streamSpec(p.StreamViewType) })
	}
	if p.ServerSideEncryption != nil && !sameSSE(*p.ServerSideEncryption, t.SSEDescription) {
		upd("serverSideEncryption", func(in *dynamodb.UpdateTableInput) { in.SSESpecification = sseSpec(p.ServerSideEncryption) })
	}

	// Indexes: removals first (they free capacity), then additions, then throughput updates, one per call.
	want := map[string]v1alpha1.GlobalSecondaryIndex{}
	for _, g := range p.GlobalSecondaryIndexes {
		want[g.IndexName] = g
	}
	var gone, added, reprovisioned []string
	indexesManaged := p.GlobalSecondaryIndexes != nil // unset: the table's indexes are not managed; [] means none
	for _, g := range t.GlobalSecondaryIndexes {
		n := aws.ToString(g.IndexName)
		w, ok := want[n]
		switch {
		case !ok && indexesManaged:
			gone = append(gone, n)
		case !ok:
		case !sameKeys(g.KeySchema, w.HashKey, w.RangeKey) || !sameProjection(w.Projection, g.Projection):
			return nil, errors.Errorf("index %q of table %q cannot change its keys or projection: "+
				"give the index a new name (the new one is created, the old one removed)", n, name)
		case mode == string(types.BillingModeProvisioned) && w.ProvisionedThroughput != nil &&
			!sameThroughput(w.ProvisionedThroughput, g.ProvisionedThroughput):
			reprovisioned = append(reprovisioned, n)
		}
	}
	for _, g := range p.GlobalSecondaryIndexes {
		if !existsIndex(t, g.IndexName) {
			added = append(added, g.IndexName)
		}
	}
	sort.Strings(gone)
	sort.Strings(reprovisioned)
	for _, n := range gone {
		upd("globalSecondaryIndexes["+n+"]-", func(in *dynamodb.UpdateTableInput) {
			in.GlobalSecondaryIndexUpdates = []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String(n)}}}
		})
	}
	for _, n := range added {
		g := want[n]
		upd("globalSecondaryIndexes["+n+"]+", func(in *dynamodb.UpdateTableInput) {
			in.AttributeDefinitions = definitionsFor(p.AttributeDefinitions, keyNames(g.HashKey, g.RangeKey)...)
			in.GlobalSecondaryIndexUpdates = []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
				IndexName:             aws.String(n),
				KeySchema:             keySchema(g.HashKey, g.RangeKey),
				Projection:            projection(g.Projection),
				ProvisionedThroughput: throughput(g.ProvisionedThroughput),
			}}}
		})
	}
	for _, n := range reprovisioned {
		g, cur := want[n], observedIndexThroughput(t, n)
		upd("globalSecondaryIndexes["+n+"].provisionedThroughput", func(in *dynamodb.UpdateTableInput) {
			in.GlobalSecondaryIndexUpdates = []types.GlobalSecondaryIndexUpdate{{Update: &types.UpdateGlobalSecondaryIndexAction{
				IndexName:             aws.String(n),
				ProvisionedThroughput: targetThroughput(g.ProvisionedThroughput, cur),
			}}}
		})
	}

	if p.TimeToLive != nil && o.TTL != nil && !sameTTL(*p.TimeToLive, o.TTL) {
		out.Add("timeToLive", request{TTL: &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(name), TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(p.TimeToLive.AttributeName), Enabled: aws.Bool(p.TimeToLive.Enabled),
		}}})
	}
	if p.PointInTimeRecovery != nil && o.PITR != nil && *p.PointInTimeRecovery != (o.PITR.PointInTimeRecoveryStatus == types.PointInTimeRecoveryStatusEnabled) {
		out.Add("pointInTimeRecovery", request{PITR: &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String(name),
			PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: p.PointInTimeRecovery}}})
	}
	return out, nil
}

// createBillingMode is the billing mode a new table is created with: the spec's, else PROVISIONED when the spec
// gives throughput, else PAY_PER_REQUEST. It is not written to the spec: after the create the mode stays unmanaged.
func createBillingMode(p v1alpha1.TableParameters) string {
	switch {
	case p.BillingMode != "":
		return p.BillingMode
	case p.ProvisionedThroughput != nil:
		return string(types.BillingModeProvisioned)
	default:
		return string(types.BillingModePayPerRequest)
	}
}

func observedBillingMode(t *types.TableDescription) string {
	if t.BillingModeSummary != nil && t.BillingModeSummary.BillingMode != "" {
		return string(t.BillingModeSummary.BillingMode)
	}
	// Tables made before billing modes existed report none: they are provisioned.
	return string(types.BillingModeProvisioned)
}

func observedTableClass(t *types.TableDescription) string {
	if t.TableClassSummary != nil && t.TableClassSummary.TableClass != "" {
		return string(t.TableClassSummary.TableClass)
	}
	return string(types.TableClassStandard)
}

func sameKeys(ks []types.KeySchemaElement, hash string, rng *string) bool {
	var h, r string
	for _, k := range ks {
		switch k.KeyType {
		case types.KeyTypeHash:
			h = aws.ToString(k.AttributeName)
		case types.KeyTypeRange:
			r = aws.ToString(k.AttributeName)
		}
	}
	return h == hash && r == aws.ToString(rng)
}

func sameProjection(w v1alpha1.Projection, g *types.Projection) bool {
	if g == nil {
		return false
	}
	return w.Type == string(g.ProjectionType) && sets.New(w.NonKeyAttributes...).Equal(sets.New(g.NonKeyAttributes...))
}

// targetThroughput is the capacity an update sends: the spec's, or under autoscaling the floor only where the
// table is below it — what the autoscaler raised is kept.
func targetThroughput(w *v1alpha1.Throughput, g *types.ProvisionedThroughputDescription) *types.ProvisionedThroughput {
	t := throughput(w)
	if g != nil && ptr.Deref(w.Autoscaled, false) {
		t.ReadCapacityUnits = aws.Int64(max(w.ReadCapacityUnits, aws.ToInt64(g.ReadCapacityUnits)))
		t.WriteCapacityUnits = aws.Int64(max(w.WriteCapacityUnits, aws.ToInt64(g.WriteCapacityUnits)))
	}
	return t
}

// observedIndexThroughput is the capacity the table reports for index n.
func observedIndexThroughput(t *types.TableDescription, n string) *types.ProvisionedThroughputDescription {
	for _, g := range t.GlobalSecondaryIndexes {
		if aws.ToString(g.IndexName) == n {
			return g.ProvisionedThroughput
		}
	}
	return nil
}

// sameThroughput compares capacity; under autoscaling the spec's units are a floor.
func sameThroughput(w *v1alpha1.Throughput, g *types.ProvisionedThroughputDescription) bool {
	if g == nil {
		return false
	}
	r, wr := aws.ToInt64(g.ReadCapacityUnits), aws.ToInt64(g.WriteCapacityUnits)
	if ptr.Deref(w.Autoscaled, false) {
		return r >= w.ReadCapacityUnits && wr >= w.WriteCapacityUnits
	}
	return w.ReadCapacityUnits == r && w.WriteCapacityUnits == wr
}

func existsIndex(t *types.TableDescription, name string) bool {
	for _, g := range t.GlobalSecondaryIndexes {
		if aws.ToString(g.IndexName) == name {
			return true
		}
	}
	return false
}

func sameStream(view string, s *types.StreamSpecification) bool {
	enabled := s != nil && aws.ToBool(s.StreamEnabled)
	if view == "" {
		return !enabled
	}
	return enabled && string(s.StreamViewType) == view
}

// sameSSE compares encryption at rest. A KMS key given as an alias cannot be matched against the key ARN DynamoDB
// reports, so any customer key counts as that alias.
func sameSSE(w v1alpha1.TableEncryption, d *types.SSEDescription) bool {
	enabled := d != nil && (d.Status == types.SSEStatusEnabled || d.Status == types.SSEStatusEnabling || d.Status == types.SSEStatusUpdating)
	switch w.Type {
	case "OWNED":
		return !enabled
	case "AWS_MANAGED":
		return enabled
	default:
		if !enabled {
			return false
		}
		key, arn := aws.ToString(w.KMSKeyID), aws.ToString(d.KMSMasterKeyArn)
		return strings.HasPrefix(key, "alias/") || arn == key || strings.HasSuffix(arn, "/"+key)
	}
}

func sameTTL(w v1alpha1.TimeToLive, d *types.TimeToLiveDescription) bool {
	on := d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling
	if !w.Enabled {
		return !on
	}
	return on && aws.ToString(d.AttributeName) == w.AttributeName
}

// observation is the table as DynamoDB reports it.
func observation(o observed, tags map[string]string, pending changes) v1alpha1.TableObservation {
	t := o.Table
	obs := v1alpha1.TableObservation{
		ARN: aws.ToString(t.TableArn), Status: string(t.TableStatus), StreamARN: aws.ToString(t.LatestStreamArn),
		BillingMode: observedBillingMode(t), Tags: tags,
	}
	if p := t.ProvisionedThroughput; p != nil && aws.ToInt64(p.ReadCapacityUnits) > 0 {
		// On-demand tables report zero units: nothing provisioned to show.
		obs.ProvisionedThroughput = &v1alpha1.ThroughputObservation{
			ReadCapacityUnits: aws.ToInt64(p.ReadCapacityUnits), WriteCapacityUnits: aws.ToInt64(p.WriteCapacityUnits),
		}
	}
	for _, g := range t.GlobalSecondaryIndexes {
		if obs.IndexStatuses == nil {
			obs.IndexStatuses = map[string]string{}
		}
		obs.IndexStatuses[aws.ToString(g.IndexName)] = string(g.IndexStatus)
	}
	if o.TTL != nil {
		obs.TimeToLive = string(o.TTL.TimeToLiveStatus)
	}
	if o.PITR != nil {
		obs.PointInTime = string(o.PITR.PointInTimeRecoveryStatus)
	}
	if len(pending) > 0 {
		obs.PendingChanges = pending.Fields()
	}
	return obs
}

func connectionDetails(name string, t *types.TableDescription) managed.ConnectionDetails {
	d := managed.ConnectionDetails{ConnTableName: []byte(name), ConnARN: []byte(aws.ToString(t.TableArn))}
	if s := aws.ToString(t.LatestStreamArn); s != "" {
		d[ConnStreamARN] = []byte(s)
	}
	return d
}

func tagOf(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

// References lists what the Table names that the provider does not make: its customer KMS key.
func References(cr *v1alpha1.Table) []credentials.Reference {
	if e := cr.Spec.ForProvider.ServerSideEncryption; e != nil {
		return []credentials.Reference{{List: "kmsKeys", Field: "spec.forProvider.serverSideEncryption.kmsKeyID", Value: ptr.Deref(e.KMSKeyID, "")}}
	}
	return nil
}

// deletion is what deleting the Table does (Delete): nothing while deletion protection is on, unless the spec turns
// it off, which the delete applies first.
func deletion(cr *v1alpha1.Table) managedkind.Deletion {
	return managedkind.Protected(cr.Spec.ForProvider.DeletionProtection, "table", "table and its items")
}
