package v1alpha1

// SetObservedGeneration records the generation the last reconcile acted on, in status.observedGeneration (read by
// kstatus: Flux and kpt).
func (mg *Topic) SetObservedGeneration(g int64) { mg.Status.SetObservedGeneration(g) }

// GetObservedGeneration returns status.observedGeneration.
func (mg *Topic) GetObservedGeneration() int64 { return mg.Status.GetObservedGeneration() }

// SetObservedGeneration records the generation the last reconcile acted on, in status.observedGeneration.
func (mg *Subscription) SetObservedGeneration(g int64) { mg.Status.SetObservedGeneration(g) }

// GetObservedGeneration returns status.observedGeneration.
func (mg *Subscription) GetObservedGeneration() int64 { return mg.Status.GetObservedGeneration() }
