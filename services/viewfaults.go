package services

import (
	"fmt"
	"strings"

	"github.com/conveyorhq/conveyor/refusal"
)

// viewFault is a fault of a view at path, worded in English and, for the
// pages, in Russian.
func viewFault(path, msg string) refusal.FieldError {
	f := field(path, msg)
	if ru := viewRussian(msg); ru != "" {
		f.Translations = map[string]string{"ru": ru}
	}
	return f
}

var viewRussianFixed = map[string]string{
	"no such column": "такого столбца нет",
	"no such field in the conveyor's current version":       "в текущей версии конвейера нет такого поля",
	"a field column needs the view's definition":            "для столбца из полей нужно выбрать конвейер",
	"a list of values does not sort":                        "по списку значений не сортируют",
	"a list of values does not group":                       "по списку значений не группируют",
	"only a number column is summed":                        "суммируется только числовой столбец",
	"must be a list of values":                              "нужен список значений",
	"must be [from, to], either may be null":                "нужны границы «от» и «до», одна может быть пустой",
	"must be a number":                                      "нужно число",
	"must be true or false":                                 "нужно «да» или «нет»",
	"must be a date YYYY-MM-DD or a time in RFC 3339":       "нужна дата",
	"must be a text":                                        "нужен текст",
	"not allowed to you":                                    "вам это не разрешено",
	"a private view is not locked":                          "закрепляют только общее представление",
	"clients have no definition":                            "у клиентов нет конвейера",
	"no such definition":                                    "такого конвейера нет",
	"must be clients, workitems or processes":               "нужен список клиентов, задач или процессов",
	"must be admin, analyst, supervisor or manager":         "нет такой роли",
	"no such view":                                          "такого представления нет",
	"must be shared with everyone":                          "представление должно быть общим для всех",
	"not a cursor of this view":                             "страница не из этого представления",
	"must be csv or xlsx":                                   "нужен формат csv или xlsx",
	"must be one of " + strings.Join(RelativePeriods, ", "): "нужен один из периодов",
}

// viewRussian is msg in Russian, "" when there is no wording for it.
func viewRussian(msg string) string {
	if ru, ok := viewRussianFixed[msg]; ok {
		return ru
	}
	var n, most int
	switch {
	case strings.HasSuffix(msg, " is not one of the column's values"):
		return strings.TrimSuffix(msg, " is not one of the column's values") + " — нет среди значений столбца"
	case strings.HasPrefix(msg, "a ") && strings.Contains(msg, " column takes "):
		kind, rest, _ := strings.Cut(strings.TrimPrefix(msg, "a "), " column takes ")
		return "столбец типа «" + kind + "» допускает: " + rest
	}
	if _, err := fmt.Sscanf(msg, "%d conditions: at most %d", &n, &most); err == nil {
		return fmt.Sprintf("условий %d, можно не больше %d", n, most)
	}
	return ""
}
