// Package limits is the one table of bounds on what people type into
// Conveyor. The API and the web UI check every free-text field against it
// before anything is written, so that no input reaches PostgreSQL that it
// would refuse with an internal error (a NUL byte, bytes that are not UTF-8,
// a value too large for an index) and nothing is stored unbounded.
package limits

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/conveyorhq/conveyor/refusal"
)

// Field is the bounds of one kind of input. Lengths count characters, as
// people do, not bytes.
type Field struct {
	Required bool
	Min, Max int
	// Multiline allows line breaks and tabs; other control characters are
	// refused everywhere.
	Multiline bool
	// Secret fields (passwords being checked) are never stored, only hashed
	// or compared, so any character is allowed: refusing one would lock out
	// whoever chose it before this rule.
	Secret bool
}

// The table. A limit on a value that is indexed keeps four bytes a
// character (the most UTF-8 takes) under PostgreSQL's ~2,700-byte B-tree
// entry.
var (
	// Login matches the users table's format check (63 characters).
	Login = Field{Required: true, Max: 63}
	// Password is one being checked at sign-in or as the current password.
	Password = Field{Required: true, Max: 1024, Secret: true}
	// NewPassword is one being set through the API: at least 10 characters
	// (length is what makes a password hard to guess), no control
	// characters nobody can type again. Users made by `conveyor users
	// create` and the demo seed do not pass through it.
	NewPassword = Field{Required: true, Min: 10, Max: 1024}
	// UserName is a person's display name.
	UserName = Field{Max: 200}
	// Key is an identifier given by people: a role, a team, a segment or
	// product group id (their tables allow 63 characters).
	Key = Field{Required: true, Max: 63}
	// Parameter is a value in a request's path or query: an id, a filter,
	// a cursor (which carries the last row's sort key, a name perhaps).
	Parameter = Field{Max: 4096}
	// ClientName is indexed (clients_name): 500 characters stay under the
	// index's entry size whatever the script.
	ClientName = Field{Required: true, Max: 500}
	// Note is a hand-over note: it goes into the process's history.
	Note = Field{Max: 2000, Multiline: true}
	// CancelReason is why a supervisor cancels a process (0011_cancel_reason.sql).
	CancelReason = Field{Required: true, Max: 2000, Multiline: true}

	// The client card's text, as its tables bound it (0006_card.sql); an
	// address and a note are typed in a text area.
	AddressText = Field{Required: true, Max: 2000, Multiline: true}
	BankName    = Field{Max: 500}
	ContactName = Field{Required: true, Max: 500}
	Position    = Field{Max: 500}
	Phone       = Field{Max: 100}
	Email       = Field{Max: 320}
	ContactNote = Field{Max: 4000, Multiline: true}
	// NodeName is a segment's or product group's name.
	NodeName = Field{Required: true, Max: 500}
	// CharacteristicName is the name of a characteristic an admin defines,
	// and of each value of an enum.
	CharacteristicName = Field{Required: true, Max: 500}
)

// Reason is why a value is outside its field's bounds.
type Reason int

const (
	Missing Reason = iota + 1
	TooShort
	TooLong
	Control // a control character, NUL included, or bytes that are not UTF-8
	// SameAsLogin is a new password equal to its user's login.
	SameAsLogin
)

// Violation is a value outside its field's bounds, at Path (a JSON pointer
// into the request, like /name). It is refusal.ErrInvalid.
type Violation struct {
	Path   string
	Reason Reason
	Limit  int // the bound broken, for TooShort and TooLong
}

// Message says what is wrong, without the path: the text shown beside the
// field.
func (v *Violation) Message() string {
	switch v.Reason {
	case Missing:
		return "required"
	case TooShort:
		return "must be at least " + strconv.Itoa(v.Limit) + " characters"
	case TooLong:
		return "must be at most " + strconv.Itoa(v.Limit) + " characters"
	case SameAsLogin:
		return "must differ from the login"
	}
	return "must not contain control characters or invalid UTF-8"
}

func (v *Violation) Error() string { return v.Path + ": " + v.Message() }
func (v *Violation) Unwrap() error { return refusal.ErrInvalid }

// Check tells whether value fits f; nil when it does. An empty value that
// is not required fits, whatever the minimum.
func (f Field) Check(path, value string) *Violation {
	if value == "" {
		if f.Required {
			return &Violation{Path: path, Reason: Missing}
		}
		return nil
	}
	// The length first: a huge value is refused without scanning it all.
	n := utf8.RuneCountInString(value)
	switch {
	case n > f.Max:
		return &Violation{Path: path, Reason: TooLong, Limit: f.Max}
	case !f.Secret && (!utf8.ValidString(value) || strings.ContainsFunc(value, f.forbidden)):
		return &Violation{Path: path, Reason: Control}
	case n < f.Min:
		return &Violation{Path: path, Reason: TooShort, Limit: f.Min}
	}
	return nil
}

func (f Field) forbidden(r rune) bool {
	if f.Multiline && (r == '\n' || r == '\r' || r == '\t') {
		return false
	}
	return unicode.IsControl(r)
}

// Each checks every element of values, at path/0, path/1, ...
func (f Field) Each(path string, values []string) []*Violation {
	var out []*Violation
	for i, v := range values {
		if bad := f.Check(path+"/"+strconv.Itoa(i), v); bad != nil {
			out = append(out, bad)
		}
	}
	return out
}

// Checks gathers the violations of a form or a body, so that all of them
// are reported at once.
type Checks []*Violation

// Add checks value against f when value is given (not nil).
func (c *Checks) Add(f Field, path string, value *string) {
	if value == nil {
		return
	}
	if v := f.Check(path, *value); v != nil {
		*c = append(*c, v)
	}
}

// AddEach checks the elements of values when given.
func (c *Checks) AddEach(f Field, path string, values *[]string) {
	if values != nil {
		*c = append(*c, f.Each(path, *values)...)
	}
}

// Parameters checks the values of a request's path (name, value pairs)
// and query against Parameter: such values reach SQL as ids and filters,
// where a NUL or bytes that are not UTF-8 could only fail as an internal
// error.
func Parameters(path [][2]string, query url.Values) Checks {
	var bad Checks
	for _, p := range path {
		bad.Add(Parameter, p[0], &p[1])
	}
	for key, values := range query {
		for _, v := range values {
			bad.Add(Parameter, key, &v)
		}
	}
	return bad
}
