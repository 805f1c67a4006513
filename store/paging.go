package store

// Lists page with keyset cursors: a page is a size and the sort key of the
// previous page's last row, opaque to callers.

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Page is a list request: an opaque cursor from the previous page and a size.
type Page struct {
	After string
	Limit int
}

const (
	defaultLimit = 50
	maxLimit     = 200
)

func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return defaultLimit
	case p.Limit > maxLimit:
		return maxLimit
	}
	return p.Limit
}

// cursor is the sort key of the last row of a page.
type cursor struct {
	At   *time.Time `json:"t,omitempty"`
	Name string     `json:"n,omitempty"`
	ID   string     `json:"i"`
}

func (p Page) decode() (cursor, error) {
	var c cursor
	if p.After == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.After)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return c, fmt.Errorf("cursor %q: %w", p.After, ErrBadCursor)
	}
	return c, nil
}

// ErrBadCursor is a cursor this store did not make.
var ErrBadCursor = errors.New("not a cursor of this list")

// cut trims a list fetched with limit+1 rows and makes the next cursor.
func cut[T any](list []T, limit int, key func(T) cursor) ([]T, string) {
	if len(list) <= limit {
		return list, ""
	}
	list = list[:limit]
	b, _ := json.Marshal(key(list[limit-1]))
	return list, base64.RawURLEncoding.EncodeToString(b)
}
