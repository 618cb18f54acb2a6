package sqs

import (
	"regexp"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

const (
	fifoSuffix         = ".fifo"
	maxQueueNameLength = 80
)

var queueName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ValidateQueueName checks a queue name (the external name) against SQS's rules, so that a bad name fails with a clear
// message before any call: 1 to 80 letters, digits, hyphens and underscores, plus .fifo at the end of a FIFO
// queue's name and only there.
func ValidateQueueName(name string, fifo bool) error {
	base, isFIFOName := strings.CutSuffix(name, fifoSuffix)
	switch {
	case len(name) > maxQueueNameLength:
		return errors.Errorf("queue name %q is longer than %d characters", name, maxQueueNameLength)
	case !queueName.MatchString(base):
		return errors.Errorf("queue name %q may only contain letters, digits, hyphens and underscores (and end in .fifo for a FIFO queue)", name)
	case fifo && !isFIFOName:
		return errors.Errorf("queue name %q must end in .fifo: the queue is FIFO", name)
	case !fifo && isFIFOName:
		return errors.Errorf("queue name %q ends in .fifo: set fifoQueue: true, or choose another name", name)
	}
	return nil
}
