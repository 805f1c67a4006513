package web

import (
	"embed"
	"encoding/json"
	"io/fs"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// The UI's texts live in locales/<lang>.json and, for an area of pages of
// its own, locales/<area>.<lang>.json: flat files of keys, embedded in the
// binary and merged by language (a key in two files of one language is a
// mistake). i18n_test checks that every language has every key and that
// every key the pages and the code ask for exists.
//
//go:embed locales/*.json
var localeFiles embed.FS

// messages holds every text of the UI, by language and key.
var messages = loadMessages()

func loadMessages() map[string]map[string]string {
	files, err := fs.Glob(localeFiles, "locales/*.json")
	if err != nil {
		panic(err)
	}
	out := map[string]map[string]string{}
	for _, f := range files {
		raw, err := localeFiles.ReadFile(f)
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			panic("web: " + f + ": " + err.Error()) // embedded and tested: cannot happen in a build that passed
		}
		name := strings.TrimSuffix(path.Base(f), ".json")
		lang := name[strings.LastIndexByte(name, '.')+1:]
		if out[lang] == nil {
			out[lang] = map[string]string{}
		}
		for k, v := range m {
			if _, twice := out[lang][k]; twice {
				panic("web: " + f + ": the key " + k + " is in another file of " + lang + " too")
			}
			out[lang][k] = v
		}
	}
	return out
}

// language is the UI language: the "lang" cookie, else the browser's
// preference between Russian and English.
func language(c *gin.Context) string {
	if l, err := c.Cookie("lang"); err == nil && messages[l] != nil {
		return l
	}
	for _, part := range strings.Split(c.GetHeader("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "ru"):
			return "ru"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "en"
}

func translate(lang, key string) string {
	if m, ok := messages[lang][key]; ok {
		return m
	}
	return key
}
