package services

import (
	"strings"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// invalid refuses the fields out of their bounds and any others at fault;
// nil when there are none, so that every reason is reported at once.
func invalid(message string, bad limits.Checks, more ...refusal.FieldError) error {
	if len(bad) == 0 && len(more) == 0 {
		return nil
	}
	fields := make([]refusal.FieldError, 0, len(bad)+len(more))
	for _, v := range bad {
		fields = append(fields, refusal.FieldError{Path: v.Path, Message: v.Message(), Cause: v})
	}
	return refusal.Invalid(message, append(fields, more...)...)
}

// field is one more field at fault.
func field(path, message string) refusal.FieldError {
	return refusal.FieldError{Path: path, Message: message}
}

// trimmed trims a given value in place, as people do not mean the spaces
// around what they type.
func trimmed(values ...*string) {
	for _, v := range values {
		if v != nil {
			*v = strings.TrimSpace(*v)
		}
	}
}

// needRole refuses a user who has none of roles; an admin always may.
func needRole(by store.User, roles ...string) error {
	if by.Has(store.RoleAdmin) {
		return nil
	}
	for _, r := range roles {
		if by.Has(r) {
			return nil
		}
	}
	return refusal.New(refusal.ErrForbidden, "this needs the role %s", strings.Join(append(roles, store.RoleAdmin), " or "))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
