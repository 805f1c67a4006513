package services

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// The characteristics of every client card: an admin defines them, and
// each client's values are type-checked against them.

var (
	characteristicTypes = []string{store.CharString, store.CharNumber, store.CharDate, store.CharEnum}
	characteristicSlug  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
)

func (s *Services) Characteristics(ctx context.Context) ([]store.Characteristic, error) {
	return s.Store.Characteristics(ctx)
}

// CreateCharacteristic: admins define the characteristics of every card.
func (s *Services) CreateCharacteristic(ctx context.Context, by store.User, c store.Characteristic) (store.Characteristic, error) {
	if err := needRole(by); err != nil {
		return store.Characteristic{}, err
	}
	var wrong []refusal.FieldError
	if !characteristicSlug.MatchString(c.ID) {
		wrong = append(wrong, field("/id", "must be a slug: lower-case letters, digits, '.', '_', '-', at most 63"))
	}
	trimmed(&c.Name)
	var bad limits.Checks
	bad.Add(limits.CharacteristicName, "/name", &c.Name)
	switch {
	case !slices.Contains(characteristicTypes, c.Type):
		wrong = append(wrong, field("/type", "must be one of "+strings.Join(characteristicTypes, ", ")))
	case c.Type == store.CharEnum && len(c.Values) == 0:
		wrong = append(wrong, field("/values", "an enum needs its values"))
	case c.Type != store.CharEnum && len(c.Values) > 0:
		wrong = append(wrong, field("/values", "only an enum has values"))
	}
	bad = append(bad, limits.CharacteristicName.Each("/values", c.Values)...)
	seen := map[string]bool{}
	for i, v := range c.Values {
		if seen[v] {
			wrong = append(wrong, field("/values/"+strconv.Itoa(i), "repeats "+strconv.Quote(v)))
		}
		seen[v] = true
	}
	if err := invalid("invalid characteristic", bad, wrong...); err != nil {
		return store.Characteristic{}, err
	}
	return s.Store.CreateCharacteristic(ctx, store.Characteristic{ID: c.ID, Name: c.Name, Type: c.Type, Values: c.Values})
}

func (s *Services) CharacteristicValues(ctx context.Context, by store.User, clientID string) (map[string]json.RawMessage, error) {
	return s.Store.CharacteristicValues(ctx, viewerOf(by), clientID)
}

// SetCharacteristicValue sets a JSON value, type-checked against its
// characteristic (checkValue); a wrong one is refused at /value.
func (s *Services) SetCharacteristicValue(ctx context.Context, by store.User, clientID, charID string, value json.RawMessage) (json.RawMessage, error) {
	return s.Store.SetCharacteristicValue(ctx, viewerOf(by), clientID, charID, value, checkValue)
}

// MaxCharacteristicString is the longest string value, in characters.
const MaxCharacteristicString = 1000

// checkValue type-checks a JSON value for c and returns it as stored: a
// number is a JSON number, a date a "YYYY-MM-DD" string, an enum one of its
// values and a string at most MaxCharacteristicString characters. A wrong
// value is refused at /value.
func checkValue(c store.Characteristic, raw json.RawMessage) (json.RawMessage, error) {
	bad := func(format string, args ...any) error {
		return refusal.Invalid("invalid value of characteristic "+c.ID, field("/value", fmt.Sprintf(format, args...)))
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, bad("a value is required (to remove a value, delete it)")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, bad("not a JSON value: %v", err)
	}
	str, isString := v.(string)
	switch c.Type {
	case store.CharNumber:
		n, ok := v.(json.Number)
		if !ok {
			return nil, bad("must be a JSON number, not %s", jsonKind(v))
		}
		if f, err := strconv.ParseFloat(n.String(), 64); err != nil || math.IsInf(f, 0) {
			return nil, bad("number %s is out of range", n)
		}
		return json.RawMessage(n.String()), nil
	case store.CharDate:
		if !isString {
			return nil, bad(`must be a date as a string "YYYY-MM-DD", not %s`, jsonKind(v))
		}
		if _, err := time.Parse(time.DateOnly, str); err != nil {
			return nil, bad(`%q is not a date "YYYY-MM-DD"`, str)
		}
	case store.CharEnum:
		if !isString {
			return nil, bad("must be one of %s, not %s", quoteAll(c.Values), jsonKind(v))
		}
		if !slices.Contains(c.Values, str) {
			return nil, bad("%q is not one of %s", str, quoteAll(c.Values))
		}
	case store.CharString:
		if !isString {
			return nil, bad("must be a string, not %s", jsonKind(v))
		}
		if n := utf8.RuneCountInString(str); n > MaxCharacteristicString {
			return nil, bad("must be at most %d characters, got %d", MaxCharacteristicString, n)
		}
	default:
		return nil, fmt.Errorf("characteristic %s has an unknown type %q", c.ID, c.Type)
	}
	return json.Marshal(str)
}

func jsonKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number (" + v.String() + ")"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

func quoteAll(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// The reasons a value typed as text is refused before its type check.
var (
	ErrNoCharacteristic = errors.New("no such characteristic")
	ErrNotANumber       = errors.New("must be a number")
)

// SetCharacteristicText sets a value typed as text (a form's field): a
// number characteristic's text is the number, any other's the string.
func (s *Services) SetCharacteristicText(ctx context.Context, by store.User, clientID, charID, text string) error {
	text = strings.TrimSpace(text)
	defs, err := s.Store.Characteristics(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(defs, func(d store.Characteristic) bool { return d.ID == charID })
	refuse := func(cause error) error {
		return refusal.Invalid("invalid value", refusal.FieldError{Path: "/value", Message: cause.Error(), Cause: cause})
	}
	var raw json.RawMessage
	switch {
	case i < 0:
		return refuse(ErrNoCharacteristic)
	case text == "":
		return refuse(&limits.Violation{Path: "/value", Reason: limits.Missing})
	case defs[i].Type == store.CharNumber:
		if _, err := strconv.ParseFloat(text, 64); err != nil || !json.Valid([]byte(text)) {
			return refuse(ErrNotANumber)
		}
		raw = json.RawMessage(text)
	default:
		raw, _ = json.Marshal(text)
	}
	_, err = s.SetCharacteristicValue(ctx, by, clientID, charID, raw)
	return err
}

func (s *Services) DeleteCharacteristicValue(ctx context.Context, by store.User, clientID, charID string) error {
	return s.Store.DeleteCharacteristicValue(ctx, viewerOf(by), clientID, charID)
}
