package export

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// bom is the UTF-8 byte order mark, by which Excel knows the file is UTF-8
// rather than the system's code page.
const bom = "\ufeff"

// CSV writes a table as CSV (RFC 4180): UTF-8 after a byte order mark, comma
// separated, CRLF after each record, a field quoted when it holds a comma, a
// quote, a line break or a leading space. The first record is the titles.
// Numbers are written with a point and without an exponent where
// reasonable, booleans as true and false, times in loc as
// "2006-01-02 15:04".
//
// Text that begins with = + - @, a tab or a carriage return is written after
// a single quote, so that a spreadsheet shows it rather than running it as a
// formula; numbers are written as they are.
func CSV(w io.Writer, cols []Column, loc *time.Location) (Writer, error) {
	if err := checkColumns(cols, loc); err != nil {
		return nil, err
	}
	c := &csvWriter{
		w:    bufio.NewWriterSize(w, 64<<10),
		cols: cols,
		loc:  loc,
		vals: make([]value, len(cols)),
	}
	c.buf = append(c.buf, bom...)
	for i, col := range cols {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		c.buf = appendCSVText(c.buf, col.Title)
	}
	c.buf = append(c.buf, "\r\n"...)
	if _, err := c.w.Write(c.buf); err != nil {
		return nil, err
	}
	return c, nil
}

type csvWriter struct {
	w      *bufio.Writer
	cols   []Column
	loc    *time.Location
	vals   []value
	buf    []byte
	rows   int
	err    error // of the io.Writer: every later call returns it
	closed bool
}

func (c *csvWriter) Row(values []any) error {
	switch {
	case c.closed:
		return ErrClosed
	case c.err != nil:
		return c.err
	case len(values) != len(c.cols):
		return fmt.Errorf("export: row %d has %d values for %d columns", c.rows+1, len(values), len(c.cols))
	}
	for i, v := range values {
		val, err := check(c.cols, i, v, c.loc)
		if err != nil {
			return fmt.Errorf("export: row %d: %w", c.rows+1, err)
		}
		c.vals[i] = val
	}
	buf := c.buf[:0]
	for i := range c.vals {
		if i > 0 {
			buf = append(buf, ',')
		}
		v := &c.vals[i]
		if v.kind == vText {
			if v.guard {
				buf = appendCSVText(buf, v.s)
			} else {
				buf = append(buf, v.s...)
			}
		} else if v.kind != vEmpty {
			buf = appendText(buf, v)
		}
	}
	buf = append(buf, "\r\n"...)
	c.buf = buf
	if _, err := c.w.Write(buf); err != nil {
		c.err = err
		return err
	}
	c.rows++
	return nil
}

func (c *csvWriter) Close() error {
	if c.closed {
		return c.err
	}
	c.closed = true
	if c.err == nil {
		c.err = c.w.Flush()
	}
	return c.err
}

// appendCSVText appends text from the caller as a field: cleaned, cut,
// defused and quoted as it needs.
func appendCSVText(dst []byte, s string) []byte {
	s = cleanText(s, MaxTextLength, keepAll)
	prefix := s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
	if prefix {
		s = cleanText(s, MaxTextLength-1, keepAll)
	}
	quote := strings.ContainsAny(s, ",\"\r\n") || (s != "" && s[0] == ' ')
	if quote {
		dst = append(dst, '"')
	}
	if prefix {
		dst = append(dst, '\'')
	}
	if !quote {
		return append(dst, s...)
	}
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		dst = append(dst, s[:i+1]...)
		dst = append(dst, '"')
		s = s[i+1:]
	}
	dst = append(dst, s...)
	return append(dst, '"')
}
