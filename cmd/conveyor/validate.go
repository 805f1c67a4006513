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
}

// validateCmd prints every problem of every file and exits 1 if there is any.
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
	all := []fileProblem{}
	for _, name := range fs.Args() {
		src, err := os.ReadFile(name)
		if err != nil {
			var perr *os.PathError
			msg := err.Error()
			if errors.As(err, &perr) {
				msg = perr.Err.Error()
			}
			all = append(all, fileProblem{name, definitions.Problem{Line: 1, Column: 1, Message: "cannot read: " + msg}})
			continue
		}
		for _, p := range definitions.Validate(src) {
			all = append(all, fileProblem{name, p})
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(all); err != nil {
			return err
		}
	} else {
		for _, p := range all {
			fmt.Fprintf(stdout, "%s:%d:%d: %s\n", p.File, p.Line, p.Column, p.Message)
		}
	}
	if len(all) > 0 {
		return exitCode(1)
	}
	return nil
}
