// Package identifiers validates Russian company and bank identifiers:
// INN (taxpayer number), KPP (tax registration reason code), OGRN/OGRNIP
// (state registration numbers), BIK (bank identification code) and bank
// account numbers checked against a BIK with the Bank of Russia control key.
//
// Every validator returns nil when the value is valid and otherwise an
// *Error whose message explains in plain English what is wrong, for example:
//
//	INN "7707083894": check digit is 4, expected 3
//
// Validators are strict: they do not trim or reformat input. Values pasted by
// users ("7707 083 893", "7707-083-893") should be passed through Normalize
// first.
//
// The package is pure Go and performs no I/O.
package identifiers

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Error describes why an identifier is invalid.
type Error struct {
	// Kind is the identifier type, e.g. "INN", "KPP", "OGRN", "OGRNIP",
	// "BIK" or "account".
	Kind string
	// Value is the input that was rejected.
	Value string
	// Reason is a human-readable explanation of the problem, in English.
	Reason string
	// Format and Args make Reason (fmt.Sprintf(Format, Args...)): a UI in
	// another language translates Format, and the Args that are texts of
	// this package, and formats again.
	Format string
	Args   []any
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Value == "" && e.Reason == "" {
		return fmt.Sprintf("%s is empty", e.Kind)
	}
	return fmt.Sprintf("%s %q: %s", e.Kind, e.Value, e.Reason)
}

func newError(kind, value, format string, args ...any) *Error {
	return &Error{Kind: kind, Value: value, Reason: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Normalize removes the separators people commonly type or paste inside
// identifiers: all Unicode white space (including tabs and no-break spaces)
// and hyphen-like characters (ASCII hyphen-minus, Unicode hyphens, en and em
// dashes, minus sign). Everything else, including invalid UTF-8, is kept
// unchanged so that validators can report it.
func Normalize(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !(r == utf8.RuneError && size == 1) && isSeparator(r) {
			i += size
			continue
		}
		out = append(out, s[i:i+size]...)
		i += size
	}
	if len(out) == len(s) {
		return s
	}
	return string(out)
}

func isSeparator(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212':
		return true
	}
	return unicode.IsSpace(r)
}

// checkDigits returns an *Error naming the first character of s that is not
// an ASCII digit, or nil when s consists of digits only.
func checkDigits(kind, s string) *Error {
	pos := 0
	for _, r := range s {
		pos++
		if r < '0' || r > '9' {
			return newError(kind, s, "must contain only digits, found %q at position %d", r, pos)
		}
	}
	return nil
}

// digit returns the numeric value of the ASCII digit s[i].
func digit(s string, i int) int { return int(s[i] - '0') }

// weightedSum returns sum(digit(s, i) * weights[i]) over len(weights) digits.
func weightedSum(s string, weights []int) int {
	sum := 0
	for i, w := range weights {
		sum += digit(s, i) * w
	}
	return sum
}
