package services

import (
	"context"
	"errors"
	"io"

	"golang.org/x/sync/errgroup"

	"github.com/conveyorhq/conveyor/export"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// Running a view: its page of rows, its groups, its count and its export,
// always over the rows the asker may see.

// CountCap is where a view's count stops being exact ("1,000+"): an
// exact count of a large list scans it, and a list header needs no more;
// a grouped view counts its groups exactly.
const CountCap = 1_000

// ExportMax bounds the rows an export streams.
const ExportMax = 1_000_000

// ViewResult is one page of a view's rows, with its columns described, the
// count (capped), and the groups when the view groups.
type ViewResult struct {
	Columns []ViewColumn      `json:"columns"`
	Rows    []store.ViewRow   `json:"rows"`
	Next    string            `json:"next,omitempty"`
	Count   int               `json:"count"`
	Capped  bool              `json:"countCapped,omitempty"`
	Group   []ViewColumn      `json:"group,omitempty"`
	SumsOf  []string          `json:"sumsOf,omitempty"`
	Groups  []store.ViewGroup `json:"groups,omitempty"`
}

// ViewColumns is the columns a view of list may use, with those of
// definition's current version when it is not "".
func (s *Services) ViewColumns(ctx context.Context, me store.User, list, definition string) ([]ViewColumn, error) {
	if store.ListColumns(list) == nil {
		return nil, refusal.Invalid("no such list", viewFault("/list", "must be clients, workitems or processes"))
	}
	if definition == "" || list == store.ListClients {
		return viewCatalogue(list, nil), nil
	}
	v, _, err := s.Definition(ctx, me, definition)
	if err != nil {
		return nil, err
	}
	return viewCatalogue(list, v.Plan), nil
}

// RunView is the page after cursor of spec over list, as me may see it. A
// view that no longer fits (a field its conveyor's new version dropped) is
// refused with the fault's path, like a new one.
func (s *Services) RunView(ctx context.Context, me store.User, list string, spec ViewSpec, after string) (ViewResult, error) {
	c, err := s.resolve(ctx, me, list, spec, "/spec")
	if err != nil {
		return ViewResult{}, err
	}
	c.query.After = after
	out := ViewResult{Columns: c.columns, Rows: []store.ViewRow{}}
	// The page and the groups (or the count) are read side by side; a
	// grouped view's count is its groups', exact.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		rows, next, err := s.Store.ViewRows(gctx, viewerOf(me), c.query)
		if errors.Is(err, store.ErrBadCursor) {
			return refusal.Invalid("not a cursor of this view", viewFault("/after", "not a cursor of this view"))
		}
		if rows != nil {
			out.Rows = rows
		}
		out.Next = next
		return err
	})
	g.Go(func() error {
		if len(c.group) == 0 {
			var err error
			out.Count, out.Capped, err = s.Store.ViewCount(gctx, viewerOf(me), c.query, CountCap)
			return err
		}
		groups, err := s.Store.ViewGroups(gctx, viewerOf(me), c.query, c.group, c.sums)
		out.Groups, out.Group, out.SumsOf = groups, c.groupCols, c.sumKeys
		for _, x := range groups {
			out.Count += x.Count
		}
		out.Capped = len(groups) == store.MaxGroups
		return err
	})
	if err := g.Wait(); err != nil {
		return ViewResult{}, err
	}
	return out, nil
}

// CountView is how many rows of spec me may see, capped at CountCap: the
// live count of a view pinned to a desktop.
func (s *Services) CountView(ctx context.Context, me store.User, list string, spec ViewSpec) (int, bool, error) {
	c, err := s.resolve(ctx, me, list, spec, "/spec")
	if err != nil {
		return 0, false, err
	}
	return s.Store.ViewCount(ctx, viewerOf(me), c.query, CountCap)
}

// ExportView streams every row of spec me may see, in its order, up to
// ExportMax: head is called once with the columns before the first row.
func (s *Services) ExportView(ctx context.Context, me store.User, list string, spec ViewSpec, head func([]ViewColumn) error, row func(store.ViewRow) error) error {
	c, err := s.resolve(ctx, me, list, spec, "/spec")
	if err != nil {
		return err
	}
	if err := head(c.columns); err != nil {
		return err
	}
	return s.Store.ViewEach(ctx, viewerOf(me), c.query, ExportMax, row)
}

// Export formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// ExportContentType is the media type of an export format, "" for one
// there is not.
func ExportContentType(format string) string {
	switch format {
	case FormatCSV:
		return export.CSVContentType
	case FormatXLSX:
		return export.XLSXContentType
	}
	return ""
}

// WriteView streams every row of spec me may see to w as a CSV (UTF-8
// with a BOM, for Excel) or XLSX file named sheet, the columns headed by
// title's words and times in the deployment's zone. Nothing is held per
// row: memory stays flat however many rows go out.
func (s *Services) WriteView(ctx context.Context, me store.User, list string, spec ViewSpec, format, sheet string, title func(ViewColumn) string, w io.Writer) error {
	if ExportContentType(format) == "" {
		return refusal.Invalid("no such format", viewFault("/format", "must be csv or xlsx"))
	}
	var out export.Writer
	head := func(cols []ViewColumn) error {
		xcols := make([]export.Column, len(cols))
		for i, c := range cols {
			xcols[i] = export.Column{Title: title(c), Kind: exportKind(c.Type)}
		}
		var err error
		if format == FormatCSV {
			out, err = export.CSV(w, xcols, s.location())
		} else {
			out, err = export.XLSX(w, xcols, sheet, s.location())
		}
		return err
	}
	if err := s.ExportView(ctx, me, list, spec, head, func(r store.ViewRow) error { return out.Row(r.Values) }); err != nil {
		return err
	}
	return out.Close()
}

func exportKind(t store.ColumnType) export.Kind {
	switch t {
	case store.TypeNumber:
		return export.Number
	case store.TypeDate:
		return export.Time
	case store.TypeBool:
		return export.Bool
	}
	return export.Text
}
