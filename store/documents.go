package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Document is a file attached to a client card. Its content is kept in
// document_chunks, DocumentChunkSize bytes a row, and never held whole in
// memory. No transaction waits on the client's network: an upload is read
// into a temporary file before its transaction, and a download reads one
// chunk a query.
type Document struct {
	ID          string    `json:"id"`
	ClientID    string    `json:"clientId"`
	Name        string    `json:"name"`
	ContentType string    `json:"contentType"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploadedBy"`
	UploadedAt  time.Time `json:"uploadedAt"`
}

// DocumentChunkSize is the size of a stored chunk of content.
const DocumentChunkSize = 256 << 10

// ErrTooLarge is content over the size limit of CreateDocument.
var ErrTooLarge = errors.New("document too large")

const documentColumns = `id, client_id, name, content_type, size, sha256, uploaded_by, uploaded_at`

func scanDocument(row pgx.Row) (Document, error) {
	var d Document
	err := row.Scan(&d.ID, &d.ClientID, &d.Name, &d.ContentType, &d.Size, &d.SHA256, &d.UploadedBy, &d.UploadedAt)
	d.UploadedAt = d.UploadedAt.UTC()
	return d, err
}

// CreateDocument stores content as a document of d.ClientID named d.Name,
// uploaded by viewer. The content is first read whole into a temporary file
// (os.TempDir, $TMPDIR), at the pace of whoever sends it and with no
// connection held; then one short transaction writes it chunk by chunk, the
// documents row last. Content over limit bytes fails with ErrTooLarge and
// stores nothing, as does an error reading content (returned as it is; only
// io.EOF ends the content, so a cut multipart body, io.ErrUnexpectedEOF, is
// not taken for a short file).
func (s *Store) CreateDocument(ctx context.Context, viewer Viewer, d Document, content io.Reader, limit int64) (Document, error) {
	if Actor(ctx) == "" {
		return Document{}, ErrNoActor // before reading the content for nothing
	}
	sp, err := spool(content, limit)
	if err != nil {
		return Document{}, fmt.Errorf("document %s: %w", d.Name, err)
	}
	defer sp.remove()
	var out Document
	err = s.cardTx(ctx, viewer, d.ClientID, func(tx pgx.Tx) error {
		if _, err := sp.file.Seek(0, io.SeekStart); err != nil {
			return err
		}
		id := newCardID()
		buf := make([]byte, DocumentChunkSize)
		for n := 0; ; n++ {
			k, err := io.ReadFull(sp.file, buf)
			if k > 0 {
				if _, err := tx.Exec(ctx, `INSERT INTO document_chunks (document_id, n, data) VALUES (@document, @n, @data)`,
					pgx.NamedArgs{"document": id, "n": n, "data": buf[:k]}); err != nil {
					return err
				}
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF { // the file's end
				break
			}
			if err != nil {
				return err
			}
		}
		var err error
		out, err = scanDocument(tx.QueryRow(ctx, `INSERT INTO documents (id, client_id, name, content_type, size, sha256, uploaded_by)
			VALUES (@id, @client, @name, @content_type, @size, @sha256, @uploaded_by) RETURNING `+documentColumns,
			pgx.NamedArgs{"id": id, "client": d.ClientID, "name": d.Name, "content_type": d.ContentType, "size": sp.size,
				"sha256": sp.sha256, "uploaded_by": viewer.Login}))
		return mapConstraint(err, "document "+d.Name)
	})
	return out, err
}

// spooled is content read into a temporary file, with its size and hash.
type spooled struct {
	file   *os.File
	size   int64
	sha256 string
}

// spool reads content into a new temporary file, up to limit bytes.
func spool(content io.Reader, limit int64) (*spooled, error) {
	f, err := os.CreateTemp("", "conveyor-upload-*")
	if err != nil {
		return nil, err
	}
	sp := &spooled{file: f}
	hash := sha256.New()
	sp.size, err = io.Copy(io.MultiWriter(f, hash), io.LimitReader(content, limit+1))
	switch {
	case err != nil:
	case sp.size > limit:
		err = fmt.Errorf("more than %d bytes: %w", limit, ErrTooLarge)
	}
	if err != nil {
		sp.remove()
		return nil, err
	}
	sp.sha256 = hex.EncodeToString(hash.Sum(nil))
	return sp, nil
}

func (sp *spooled) remove() {
	sp.file.Close()
	os.Remove(sp.file.Name())
}

// Documents lists a client's documents, oldest first.
func (s *Store) Documents(ctx context.Context, viewer Viewer, clientID string) ([]Document, error) {
	if err := seeClient(ctx, s.pool, viewer, clientID); err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+documentColumns+` FROM documents WHERE client_id = @client ORDER BY uploaded_at, id`, pgx.NamedArgs{"client": clientID})
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Document, error) { return scanDocument(r) })
}

// ReadDocument finds a document of a client, calls open with it and copies
// its content to the writer open returns, one chunk a query: between two
// chunks no connection is held and no transaction is open, however slowly
// the writer (a client's download) takes them. A document is never changed,
// only deleted; one deleted while it is read fails after the chunks written.
func (s *Store) ReadDocument(ctx context.Context, viewer Viewer, clientID, id string, open func(Document) io.Writer) error {
	if err := seeClient(ctx, s.pool, viewer, clientID); err != nil {
		return err
	}
	d, err := scanDocument(s.pool.QueryRow(ctx, `SELECT `+documentColumns+` FROM documents WHERE id = @id AND client_id = @client`, pgx.NamedArgs{"id": id, "client": clientID}))
	if err != nil {
		return notFound(err, "document "+id)
	}
	w := open(d)
	chunk := make(pgtype.PreallocBytes, DocumentChunkSize) // reused: one chunk in memory
	var written int64
	for n := 0; written < d.Size; n++ {
		err := s.pool.QueryRow(ctx, `SELECT data FROM document_chunks WHERE document_id = @document AND n = @n`, pgx.NamedArgs{"document": id, "n": n}).Scan(&chunk)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("document %s: chunk %d gone after %d of %d bytes (deleted meanwhile?)", id, n, written, d.Size)
		}
		if err != nil {
			return err
		}
		k, err := w.Write(chunk)
		written += int64(k)
		if err != nil {
			return err
		}
	}
	if written != d.Size {
		return fmt.Errorf("document %s: %d bytes stored, %d expected", id, written, d.Size)
	}
	return nil
}

// DeleteDocument removes a document of a client with its content.
func (s *Store) DeleteDocument(ctx context.Context, viewer Viewer, clientID, id string) error {
	return s.deleteCardRow(ctx, viewer, "documents", "document", clientID, id)
}
