package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/conveyorhq/conveyor/definitions"
)

// fileProblem is one line of `validate --json`.
type fileProblem struct {
	File string `json:"file"`
	definitions.Problem
	// Warning: it compiles but is likely not meant; it does not fail.
	Warning bool `json:"warning,omitempty"`
}

// validateCmd prints every problem of every file, then every warning, and
// exits 1 if there is any problem (warnings alone do not fail).
func validateCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print problems as a JSON array (for editors and CI)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: conveyor validate [--json] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitCode(2)
	}
	all, warnings := []fileProblem{}, []fileProblem{}
	for _, name := range fs.Args() {
		src, err := os.ReadFile(name)
		if err != nil {
			var perr *os.PathError
			msg := err.Error()
			if errors.As(err, &perr) {
				msg = perr.Err.Error()
			}
			all = append(all, fileProblem{File: name, Problem: definitions.Problem{Line: 1, Column: 1, Message: "cannot read: " + msg}})
			continue
		}
		plan, err := definitions.Compile(src)
		var problems definitions.Problems
		errors.As(err, &problems)
		for _, p := range problems {
			all = append(all, fileProblem{File: name, Problem: p})
		}
		if plan != nil {
			for _, w := range plan.Warnings {
				warnings = append(warnings, fileProblem{File: name, Problem: w, Warning: true})
			}
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(append(all, warnings...)); err != nil {
			return err
		}
	} else {
		for _, p := range all {
			fmt.Fprintf(stdout, "%s:%d:%d: %s\n", p.File, p.Line, p.Column, p.Message)
		}
		for _, p := range warnings {
			fmt.Fprintf(stdout, "%s:%d:%d: warning: %s\n", p.File, p.Line, p.Column, p.Message)
		}
	}
	if len(all) > 0 {
		return exitCode(1)
	}
	return nil
}
