package v1alpha1

// SetObservedGeneration records the generation the last reconcile acted on, in status.observedGeneration (read by
// kstatus: Flux and kpt).
func (mg *Bucket) SetObservedGeneration(g int64) { mg.Status.SetObservedGeneration(g) }

// GetObservedGeneration returns status.observedGeneration.
func (mg *Bucket) GetObservedGeneration() int64 { return mg.Status.GetObservedGeneration() }
