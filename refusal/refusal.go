// Package refusal is how every layer says "no": one of four kinds (not
// found, invalid, conflict, forbidden), a message, and for invalid input
// the fields at fault. The store and the services return these; the
// workflow's answers carry them through Temporal (workflows/wire); only the
// HTTP API and the web UI turn them into a status and a page, each in one
// function.
package refusal

import (
	"errors"
	"fmt"
)

// The kinds. Lower layers wrap them with context
// (fmt.Errorf("...: %w", refusal.ErrNotFound)) or return an *Error.
var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = errors.New("invalid")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
)

// FieldError is one reason input was refused; Path is a JSON pointer into
// the request (/data/amount).
type FieldError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	// Cause is the reason as a value (a limits.Violation, a rule), for a
	// surface that words it in its own language.
	Cause error `json:"-"`
	// Translations are Message in other languages, by language, where the
	// refusal comes worded from far (a form's JSON Schema, through the
	// workflow) and no Cause can travel with it.
	Translations map[string]string `json:"translations,omitempty"`
}

// Error is a refusal with the fields at fault. errors.Is(err, ErrInvalid)
// and the like hold for it.
type Error struct {
	Kind    error // one of the Err kinds
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Kind }

// New is a refusal of kind with a message.
func New(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Invalid refuses input, naming the fields at fault.
func Invalid(message string, fields ...FieldError) *Error {
	return &Error{Kind: ErrInvalid, Message: message, Fields: fields}
}

// KindOf is the kind of a refusal, nil for any other error.
func KindOf(err error) error {
	for _, k := range []error{ErrNotFound, ErrInvalid, ErrConflict, ErrForbidden} {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// Fields are the fields at fault in err, if it is an *Error.
func Fields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
