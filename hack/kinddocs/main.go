// Command kinddocs writes each kind's field table (managedkind.Fields) into its docs page, between the page's
// fields markers: `make generate` runs it (apis/generate.go), and a test fails when a page and its table differ.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/stateful-dev/provider-stateful/internal/controller"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: kinddocs REPOSITORY_ROOT")
		os.Exit(2)
	}
	for _, k := range controller.Kinds() {
		path := filepath.Join(os.Args[1], "docs", "kinds", k.DocPage()+".md")
		page, err := os.ReadFile(path)
		if err == nil {
			var out string
			if out, err = k.FieldTable().Splice(string(page)); err == nil {
				err = os.WriteFile(path, []byte(out), 0o600)
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "kinddocs: %s: %v\n", path, err)
			os.Exit(1)
		}
	}
}
