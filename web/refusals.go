package web

import (
	"fmt"
	"strings"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/store"
)

// The texts of the refusals the UI shares with the API (limits.Violation,
// store.Refused) in the UI's languages: the English ones are the API's
// messages word for word.
func init() {
	addMessages(map[string]map[string]string{
		"en": {
			"lim.missing": "required", "lim.short": "must be at least %d characters", "lim.long": "must be at most %d characters",
			"lim.control": "must not contain control characters or invalid UTF-8", "lim.login": "must differ from the login",
			"rule." + store.RuleOwnerScope:    "the owner must be you or someone below you",
			"rule." + store.RuleOwnerInactive: "the owner must be an active user",
			"rule." + store.RuleDecide:        "only the client's owner, a supervisor above the owner or an admin changes its owner, segments and product groups",
		},
		"ru": {
			"lim.missing": "обязательно", "lim.short": "не короче %d символов", "lim.long": "не длиннее %d символов",
			"lim.control": "не должно содержать управляющих символов и неверных байтов UTF-8", "lim.login": "должен отличаться от логина",
			"rule." + store.RuleOwnerScope:    "ответственным можете быть только вы или ваш подчинённый",
			"rule." + store.RuleOwnerInactive: "ответственный должен быть активным пользователем",
			"rule." + store.RuleDecide:        "ответственного, сегменты и группы номенклатуры клиента меняют только его ответственный, руководители ответственного и администратор",
		},
	})
}

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
func refusedText(lang string, r *store.Refused) string {
	return orKey(lang, "rule."+r.Rule, r.Reason())
}

// limit trims a form's field and checks it against its bounds, filing the
// refusal under the field's name.
func (e fieldErrors) limit(lang, field string, f limits.Field, v *string) {
	*v = strings.TrimSpace(*v)
	if bad := f.Check(field, *v); bad != nil {
		e[field] = violationText(lang, bad)
	}
}

// limitEach checks the values of a multiple choice (ids the form offered,
// or anything a crafted post sends) against f, filing the first refusal
// under the field's name.
func (e fieldErrors) limitEach(lang, field string, f limits.Field, values []string) {
	if bad := f.Each(field, values); len(bad) > 0 {
		e[field] = violationText(lang, bad[0])
	}
}
