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

var russian = func() *message.Printer {
	for en, ru := range schemaRussian {
		_ = message.SetString(language.Russian, en, ru)
	}
	return message.NewPrinter(language.Russian)
}()
