// Package errs holds the sentinel errors that cross layers. Lower layers wrap
// them with context (fmt.Errorf("...: %w", errs.ErrNotFound)); only the HTTP
// layer maps them to status codes.
package errs

import "errors"

var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = errors.New("invalid")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
)
