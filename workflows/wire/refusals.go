package wire

import (
	"errors"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/conveyorhq/conveyor/refusal"
)

// A refusal crosses Temporal as an application error whose type names its
// kind and whose details are the fields at fault. These three functions
// are the only places it is encoded and decoded.

// Error types of refusals.
const (
	TypeInvalid   = "Invalid"
	TypeConflict  = "Conflict"
	TypeNotFound  = "NotFound"
	TypeForbidden = "Forbidden"
)

var kinds = []struct {
	kind error
	typ  string
}{
	{refusal.ErrInvalid, TypeInvalid}, {refusal.ErrConflict, TypeConflict},
	{refusal.ErrNotFound, TypeNotFound}, {refusal.ErrForbidden, TypeForbidden},
}

// Refuse turns a refusal into an application error, final (retrying
// cannot make it succeed); any other error comes back as it is, for
// Temporal to retry.
func Refuse(err error) error {
	if err == nil {
		return nil
	}
	for _, k := range kinds {
		if errors.Is(err, k.kind) {
			// The kind travels as the type: the message is the reason alone,
			// for people to read ("team x has no members", not "...: invalid").
			msg := strings.TrimSuffix(err.Error(), ": "+k.kind.Error())
			return temporal.NewNonRetryableApplicationError(msg, k.typ, nil, refusal.Fields(err))
		}
	}
	return err
}

// Refusal is a workflow's own "no", retryable as Temporal sees it (an
// Update's failure is never retried).
func Refusal(kind error, message string, fields ...refusal.FieldError) error {
	for _, k := range kinds {
		if k.kind == kind {
			return temporal.NewApplicationError(message, k.typ, fields)
		}
	}
	return temporal.NewApplicationError(message, TypeInvalid, fields)
}

// Refused turns what an Update or activity answered back into a refusal
// (*refusal.Error); a workflow that is gone is a conflict; anything else is
// wrapped as it is.
func Refused(err error) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		for _, k := range kinds {
			if app.Type() == k.typ {
				r := &refusal.Error{Kind: k.kind, Message: app.Message()}
				if app.HasDetails() {
					_ = app.Details(&r.Fields)
				}
				return r
			}
		}
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return &refusal.Error{Kind: refusal.ErrConflict, Message: "the process is not running"}
	}
	return err
}

// IsRefusal tells whether err, as an activity returned it, is a refusal.
func IsRefusal(err error) bool {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		return false
	}
	for _, k := range kinds {
		if app.Type() == k.typ {
			return true
		}
	}
	return false
}
