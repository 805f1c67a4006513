package web

import (
	"errors"
	"fmt"

	"github.com/conveyorhq/conveyor/identifiers"
)

// identifierText is why an INN, KPP, OGRN, BIK or account was refused, in
// lang: the identifier's format and those of its arguments that are the
// package's own texts come from the locale files (keys "id." and the
// English text), the rest (digits, the value) as they are.
func identifierText(lang string, e *identifiers.Error) string {
	kind := orKey(lang, "id.kind."+e.Kind, e.Kind)
	if e.Format == "" {
		return fmt.Sprintf(translate(lang, "id.empty"), kind)
	}
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		var inner *identifiers.Error
		switch a := a.(type) {
		case string:
			args[i] = orKey(lang, "id."+a, a)
		case error:
			args[i] = a
			if errors.As(a, &inner) {
				args[i] = identifierText(lang, inner)
			}
		default:
			args[i] = a
		}
	}
	reason := fmt.Sprintf(orKey(lang, "id."+e.Format, e.Format), args...)
	return fmt.Sprintf(translate(lang, "id.value"), kind, e.Value, reason)
}
