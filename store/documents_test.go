package store_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/store"
)

// connWatch records how many of a store's connections were taken each time
// the other side of a document (a client sending or reading it) was asked
// for bytes.
type connWatch struct {
	s     *store.Store
	taken []int32
}

func (w *connWatch) look() { w.taken = append(w.taken, w.s.Pool().Stat().AcquiredConns()) }

type watchedReader struct {
	r io.Reader
	w *connWatch
}

func (r watchedReader) Read(p []byte) (int, error) { r.w.look(); return r.r.Read(p) }

type watchedWriter struct {
	w  io.Writer
	cw *connWatch
}

func (w watchedWriter) Write(p []byte) (int, error) { w.cw.look(); return w.w.Write(p) }

// An upload is read while no connection is held, and so is a download
// written: a slow client holds no transaction. Nothing is left in the
// temporary directory.
func TestNoConnectionIsHeldWhileADocumentIsSentOrRead(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s, ctx := cardStore(t)
	content := make([]byte, 3*store.DocumentChunkSize+17)
	_, _ = rand.Read(content)

	up := &connWatch{s: s}
	d, err := s.CreateDocument(ctx, ivanV, store.Document{ClientID: "acme", Name: "scan.pdf", ContentType: "application/pdf"},
		watchedReader{r: bytes.NewReader(content), w: up}, 10<<20)
	require.NoError(t, err)
	require.NotEmpty(t, up.taken)
	require.Equal(t, make([]int32, len(up.taken)), up.taken, "connections taken while the upload was read")

	down := &connWatch{s: s}
	var got bytes.Buffer
	require.NoError(t, s.ReadDocument(ctx, olgaV, "acme", d.ID, func(store.Document) io.Writer { return watchedWriter{w: &got, cw: down} }))
	require.Equal(t, content, got.Bytes())
	require.Len(t, down.taken, 4, "one write a chunk")
	require.Equal(t, make([]int32, 4), down.taken, "connections taken while the download was written")

	_, err = s.CreateDocument(ctx, ivanV, store.Document{ClientID: "acme", Name: "cut.pdf", ContentType: "application/pdf"},
		&failingReader{left: 100, err: errors.New("connection reset")}, 10<<20)
	require.ErrorContains(t, err, "connection reset")
	_, err = s.CreateDocument(ctx, ivanV, store.Document{ClientID: "acme", Name: "big.pdf", ContentType: "application/pdf"},
		bytes.NewReader(content), 100)
	require.ErrorIs(t, err, store.ErrTooLarge)
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	require.Empty(t, left, "spooled uploads are removed")
}

// A download cut short by the document's deletion fails rather than
// passing a short file for a whole one.
func TestADocumentDeletedWhileReadFails(t *testing.T) {
	s, ctx := cardStore(t)
	d, err := s.CreateDocument(ctx, ivanV, store.Document{ClientID: "acme", Name: "scan.pdf", ContentType: "application/pdf"},
		bytes.NewReader(make([]byte, 2*store.DocumentChunkSize)), 10<<20)
	require.NoError(t, err)
	deleteOnFirstWrite := writerFunc(func(p []byte) (int, error) {
		if err := s.DeleteDocument(ctx, ivanV, "acme", d.ID); err != nil {
			return 0, err
		}
		return len(p), nil
	})
	err = s.ReadDocument(ctx, ivanV, "acme", d.ID, func(store.Document) io.Writer { return deleteOnFirstWrite })
	require.ErrorContains(t, err, "gone after 262144 of 524288 bytes")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
