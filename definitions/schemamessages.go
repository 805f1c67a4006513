package definitions

import (
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The JSON Schema validator words its refusals through a message.Printer,
// keyed by its English texts. These are the texts a form's refusal can
// show, in Russian; CheckData gives every refusal in both languages, so a
// completion refused by the workflow reads in the user's language.
var schemaRussian = map[string]string{
	"%s does not match pattern %s":              "%s не соответствует шаблону %s",
	"%s is not valid %s: %v":                    "%s не подходит как %s: %v",
	"'allOf' failed":                            "значение не подходит под все условия",
	"'anyOf' failed":                            "значение не подходит ни под одно из условий",
	"'const' failed":                            "значение не то, что нужно",
	"'enum' failed":                             "значения нет среди допустимых",
	"'not' failed":                              "значение недопустимо",
	"'oneOf' failed, none matched":              "значение не подходит ни под один вариант",
	"'oneOf' failed, subschemas %d, %d matched": "значение подходит сразу под несколько вариантов (%d и %d)",
	"additional properties %s not allowed":      "поля %s не предусмотрены формой",
	"exclusiveMaximum: got %v, want %v":         "%v — слишком много: нужно меньше %v",
	"exclusiveMinimum: got %v, want %v":         "%v — слишком мало: нужно больше %v",
	"false schema":                              "значение недопустимо",
	"got %s, want %s":                           "указан тип %s, а нужен %s",
	"items at %d and %d are equal":              "элементы %d и %d совпадают",
	"last %d additionalItem(s) not allowed":     "последние элементы (%d) лишние",
	"maxItems: got %d, want %d":                 "элементов %d, а можно не больше %d",
	"maxLength: got %d, want %d":                "символов %d, а можно не больше %d",
	"maxProperties: got %d, want %d":            "полей %d, а можно не больше %d",
	"maximum: got %v, want %v":                  "%v — слишком много: не больше %v",
	"minItems: got %d, want %d":                 "элементов %d, а нужно не меньше %d",
	"minLength: got %d, want %d":                "символов %d, а нужно не меньше %d",
	"minProperties: got %d, want %d":            "полей %d, а нужно не меньше %d",
	"minimum: got %v, want %v":                  "%v — слишком мало: не меньше %v",
	"missing properties %s":                     "не заполнены поля %s",
	"missing property %s":                       "не заполнено поле %s",
	"multipleOf: got %v, want %v":               "%v не кратно %v",
	"no items match contains schema":            "нет ни одного подходящего элемента",
	"properties %s required, if %s exists":      "поля %s обязательны, если заполнено %s",
	"validation failed":                         "значение не прошло проверку",
	"value must be %s":                          "значение должно быть %s",
	"value must be one of %s":                   "значение должно быть одним из: %s",
	"min %d items required to match contains schema, but none matched": "нужно не меньше %d подходящих элементов, а нет ни одного",
}

// schemaEnglish words the bounds of numbers for people who fill in forms
// rather than for those who write schemas.
var schemaEnglish = map[string]string{
	"exclusiveMaximum: got %v, want %v": "%v is too much: it must be less than %v",
	"exclusiveMinimum: got %v, want %v": "%v is too little: it must be more than %v",
	"maximum: got %v, want %v":          "%v is too much: at most %v",
	"minimum: got %v, want %v":          "%v is too little: at least %v",
}

// problemRussian are the definition checks' own problems in Russian, by
// their English format: the editor shows them in the analyst's language
// (the names and expressions they quote stay as written).
var problemRussian = map[string]string{
	"%d properties: a schema may declare at most %d in one object":                                                                            "%d полей: в одном объекте схемы можно объявить не больше %d",
	"the definition's schemas declare more than %d properties":                                                                                "схемы описания объявляют больше %d полей",
	"stage %q is unreachable: no transition from start %q leads to it":                                                                        "этап %q недостижим: ни один переход от начала %q к нему не ведёт",
	"from stage %q no end can be reached: a process entering it never completes":                                                              "с этапа %q не достичь ни одного завершения: попавший на него процесс никогда не закончится",
	"%q is both a stage and an end: a transition to it would be ambiguous":                                                                    "%q — и этап, и завершение: переход к нему был бы неоднозначен",
	"start must be a stage, and %q is an end":                                                                                                 "start должен быть этапом, а %q — завершение",
	"start names an unknown stage %q%s":                                                                                                       "start называет неизвестный этап %q%s",
	"progress must be between 0 and 100, not %d":                                                                                              "progress должен быть от 0 до 100, а не %d",
	"form must describe an object (type: object): completion data is a set of named fields":                                                   "form должна описывать объект (type: object): данные выполнения — это набор именованных полей",
	"this transition is never taken: transition %d above it has no `when` and always wins":                                                    "этот переход никогда не сработает: переход %d над ним без `when` и всегда выигрывает",
	"a transition to the end %q has no work to assign: remove its assignee":                                                                   "у перехода к завершению %q нет работы, которую назначать: уберите assignee",
	"stage %q has no transition without `when`: when no condition holds, a process would be stuck here; add a last transition with only `to`": "у этапа %q нет перехода без `when`: если ни одно условие не выполнится, процесс застрянет; добавьте последним переход только с `to`",
	"transition to an unknown stage or end %q%s":                                                                                              "переход к неизвестному этапу или завершению %q%s",
	"`choose: true` needs a team: the completer picks a member of it":                                                                         "`choose: true` требует команды: выполняющий выбирает её участника",
	"`choose` and `pick` exclude each other: either the completer chooses or the team rule picks":                                             "`choose` и `pick` исключают друг друга: выбирает либо выполняющий, либо правило команды",
	"`pick` needs a team":        "`pick` требует команды",
	"empty assignee rule: %s":    "пустое правило назначения: %s",
	"assignee rule mixes %s: %s": "правило назначения смешивает %s: %s",
	"the start stage cannot use `choose: true`: no earlier stage's completer is there to choose": "первый этап не может использовать `choose: true`: нет предыдущего этапа, чей исполнитель выбрал бы",
	"invalid JSON Schema: %v": "неверная JSON Schema: %v",
	"unknown key %q":          "неизвестный ключ %q",
	"missing key %q":          "нет ключа %q",
	"invalid name %q: use lower-case letters, digits and _ , starting with a letter": "неверное имя %q: строчные латинские буквы, цифры и _, начиная с буквы",
	"invalid id %q: use lower-case letters, digits and _ , starting with a letter":   "неверный идентификатор %q: строчные латинские буквы, цифры и _, начиная с буквы",
	"invalid id %q: use lower-case letters, digits and - , starting with a letter":   "неверный идентификатор %q: строчные латинские буквы, цифры и -, начиная с буквы",
	"%s must be %s, not %s":        "%s должно быть %s, а не %s",
	"expression: must give %s: %v": "выражение: должно давать %s: %v",
}

var russian = func() *message.Printer {
	for en, ru := range schemaRussian {
		_ = message.SetString(language.Russian, en, ru)
	}
	for en, ru := range problemRussian {
		_ = message.SetString(language.Russian, en, ru)
	}
	return message.NewPrinter(language.Russian)
}()
