package web

import (
	"errors"
	"fmt"
	"strings"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/identifiers"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
)

var violationKeys = map[limits.Reason]string{
	limits.Missing: "lim.missing", limits.TooShort: "lim.short", limits.TooLong: "lim.long",
	limits.Control: "lim.control", limits.SameAsLogin: "lim.login",
}

// violationText is v's message in lang.
func violationText(lang string, v *limits.Violation) string {
	key, ok := violationKeys[v.Reason]
	if !ok {
		return v.Message()
	}
	text := translate(lang, key)
	if strings.Contains(text, "%d") {
		text = fmt.Sprintf(text, v.Limit)
	}
	return text
}

// refusedText is the rule r names, in lang.
func refusedText(lang string, r *services.OwnerRule) string {
	return orKey(lang, "rule."+r.Rule, r.Reason())
}

// formRefusal files a service's refusal of a form: each field at fault
// beside its input (the first segment of its path, or the name names gives
// it), worded in lang; a rule of the client's owner chain, and invalid or
// forbidden input that names no field, in general. A conflict names no
// field: it goes beside duplicate. ok is false for an error that is no
// refusal of the form (not found, a failure), for u.fail.
func formRefusal(lang string, err error, bad fieldErrors, duplicate string, names map[string]string) (general []string, ok bool) {
	kind := refusal.KindOf(err)
	if kind == nil || kind == refusal.ErrNotFound {
		return nil, false
	}
	fields := refusal.Fields(err)
	for _, f := range fields {
		var rule *services.OwnerRule
		if errors.As(f.Cause, &rule) {
			general = append(general, refusedText(lang, rule))
			continue
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(f.Path, "/"), "/")
		if n, ok := names[name]; ok {
			name = n
		}
		if bad[name] == "" {
			bad[name] = fieldText(lang, f)
		}
	}
	switch {
	case len(fields) > 0:
	case kind == refusal.ErrConflict:
		bad[duplicate] = translate(lang, "cl.e.duplicate")
	default:
		general = append(general, fmt.Sprintf(translate(lang, "cl.e.refused"), err.Error()))
	}
	return general, true
}

// fieldText is why a field was refused, in lang where the UI words it.
func fieldText(lang string, f refusal.FieldError) string {
	var v *limits.Violation
	var doc *services.DocumentError
	var id *identifiers.Error
	var dup *services.DuplicateClient
	var op *services.OpMismatch
	if errors.As(f.Cause, &op) {
		return opMismatchText(lang, op)
	}
	if t, ok := f.Translations[lang]; ok {
		return t
	}
	switch {
	case errors.As(f.Cause, &v):
		return violationText(lang, v)
	case errors.As(f.Cause, &id):
		return identifierText(lang, id)
	case errors.As(f.Cause, &doc):
		return documentText(lang, doc)
	case errors.As(f.Cause, &dup) && dup.ID != "":
		return fmt.Sprintf(translate(lang, "cl.e.dupof"), dup.Name)
	case errors.As(f.Cause, &dup):
		return translate(lang, "cl.e.duphidden")
	case errors.Is(f.Cause, auth.ErrBadCredentials):
		return translate(lang, "acc.wrong")
	case errors.Is(f.Cause, services.ErrNotAPhone):
		return translate(lang, "cl.e.phone")
	case errors.Is(f.Cause, services.ErrNotAnEmail):
		return translate(lang, "cl.e.email")
	case errors.Is(f.Cause, services.ErrNoCharacteristic):
		return translate(lang, "cl.e.characteristic")
	case errors.Is(f.Cause, services.ErrNotANumber):
		return translate(lang, "cl.e.number")
	}
	return f.Message
}

// opMismatchText says which conditions a column takes, by their names in
// lang.
func opMismatchText(lang string, e *services.OpMismatch) string {
	names := make([]string, 0, len(e.Takes))
	for _, op := range e.Takes {
		names = append(names, "«"+translate(lang, "v.op."+op)+"»")
	}
	return fmt.Sprintf(translate(lang, "v.e.op"), translate(lang, "v.op."+e.Op), strings.Join(names, ", "))
}

// documentText is why an upload was refused, in lang.
func documentText(lang string, e *services.DocumentError) string {
	switch e.Reason {
	case services.DocumentEmpty:
		return translate(lang, "cl.e.emptyfile")
	case services.DocumentTooLarge:
		return translate(lang, "cl.e.big")
	}
	return fmt.Sprintf(translate(lang, "cl.e.type"), e.Type)
}
