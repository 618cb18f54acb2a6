package gcsbucket

// testOwn is the kind's ownership rule as its connector binds it, bound to no lease.
var testOwn = Kind().Own()
