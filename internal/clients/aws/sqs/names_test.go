package sqs

import (
	"strings"
	"testing"
)

func TestValidateQueueName(t *testing.T) {
	cases := map[string]struct {
		reason string
		name   string
		fifo   bool
		errHas string
	}{
		"Standard":      {reason: "Letters, digits, hyphens and underscores.", name: "Orders_v2-eu"},
		"FIFO":          {reason: "A FIFO queue's name ends in .fifo.", name: "orders.fifo", fifo: true},
		"FIFONoSuffix":  {reason: "A FIFO queue needs the suffix.", name: "orders", fifo: true, errHas: "must end in .fifo"},
		"SuffixNotFIFO": {reason: "Only a FIFO queue may have it.", name: "orders.fifo", errHas: "set fifoQueue: true"},
		"Dot":           {reason: "Dots are not allowed elsewhere.", name: "my.orders", errHas: "may only contain"},
		"TooLong":       {reason: "At most 80 characters.", name: strings.Repeat("q", 81), errHas: "longer than 80"},
		"Empty":         {reason: "A name is needed.", name: "", errHas: "may only contain"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := ValidateQueueName(tc.name, tc.fifo)
			if tc.errHas == "" && err != nil || tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("%s\nValidateQueueName(%q, %t): want error containing %q, got %v", tc.reason, tc.name, tc.fifo, tc.errHas, err)
			}
		})
	}
}
