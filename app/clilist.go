//go:build !wasm

package main

// conlab list: the catalog.

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"conlab/app/server"
)

// cmdList prints the catalog: a table, or with -json every workload with
// its parameters, bounds and unsupported modes.
func cmdList(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("list", "[-json]", stderr)
	asJSON := fs.Bool("json", false, "print the catalog as JSON: every workload with its parameters and bounds")
	if err := parse(fs, args); err != nil {
		return err
	}
	all := server.Catalog()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tTITLE")
	for _, w := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", w.ID, w.Kind, w.Title)
	}
	return tw.Flush()
}
