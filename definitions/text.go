package definitions

import "slices"

// A title may be written in several languages ({ru: ..., en: ...}) wherever
// one stands: the definition's, a stage's, an end's, a form field's or a
// choice's. A plan keeps one of them as the title (English when given, else
// the first language in alphabetical order) and all of them by language,
// for the pages to show the user's; a title written as one string is the
// same in every language.

// readText is a text as written: the title to keep, and the texts by
// language when it was written in several (nil for a plain string).
func readText(v any) (string, map[string]string) {
	switch t := v.(type) {
	case string:
		return t, nil
	case map[string]any:
		by := make(map[string]string, len(t))
		for lang, x := range t {
			if s, ok := x.(string); ok && s != "" {
				by[lang] = s
			}
		}
		if len(by) == 0 {
			return "", nil
		}
		if en, ok := by["en"]; ok {
			return en, by
		}
		langs := make([]string, 0, len(by))
		for lang := range by {
			langs = append(langs, lang)
		}
		slices.Sort(langs)
		return by[langs[0]], by
	}
	return "", nil
}

// textIn is title in lang when it was written in lang, else title.
func textIn(title string, by map[string]string, lang string) string {
	if t, ok := by[lang]; ok {
		return t
	}
	return title
}

// TitleIn is the definition's title in lang.
func (p *Plan) TitleIn(lang string) string { return textIn(p.Title, p.Titles, lang) }

// TitleIn is the stage's title in lang.
func (s StagePlan) TitleIn(lang string) string { return textIn(s.Title, s.Titles, lang) }

// TitleIn is the end's title in lang.
func (e EndPlan) TitleIn(lang string) string { return textIn(e.Title, e.Titles, lang) }

// localizeSchema rewrites the titles of a form or variables schema written
// in several languages into what JSON Schema takes, a string (the title a
// plan keeps), with the languages under "x-titles", at every level: the
// properties and the labelled choices (oneOf, anyOf) of each.
func localizeSchema(schema map[string]any) {
	if schema == nil {
		return
	}
	if _, multi := schema["title"].(map[string]any); multi {
		title, by := readText(schema["title"])
		schema["title"] = title
		titles := make(map[string]any, len(by))
		for lang, t := range by {
			titles[lang] = t
		}
		schema["x-titles"] = titles
	}
	if props, ok := schema["properties"].(map[string]any); ok {
		for _, p := range props {
			if m, ok := p.(map[string]any); ok {
				localizeSchema(m)
			}
		}
	}
	for _, k := range []string{"oneOf", "anyOf", "allOf"} {
		if list, ok := schema[k].([]any); ok {
			for _, x := range list {
				if m, ok := x.(map[string]any); ok {
					localizeSchema(m)
				}
			}
		}
	}
	if items, ok := schema["items"].(map[string]any); ok {
		localizeSchema(items)
	}
}
