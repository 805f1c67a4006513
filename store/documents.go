package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Document is a file attached to a client card. Its content is kept in
// document_chunks, DocumentChunkSize bytes a row, and never held whole in
// memory: uploads are written and downloads read chunk by chunk.
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
// uploaded by viewer. The content is read and written chunk by chunk in one
// transaction, the documents row last once its size and hash are known;
// content over limit bytes fails with ErrTooLarge and stores nothing, as
// does an error reading content (returned as it is).
func (s *Store) CreateDocument(ctx context.Context, viewer Viewer, d Document, content io.Reader, limit int64) (Document, error) {
	var out Document
	err := s.cardTx(ctx, viewer, d.ClientID, func(tx pgx.Tx) error {
		id := newCardID()
		hash := sha256.New()
		buf := make([]byte, DocumentChunkSize)
		var size int64
		for n := 0; ; n++ {
			k, readErr := fill(content, buf)
			if k > 0 {
				size += int64(k)
				if size > limit {
					return fmt.Errorf("document %s: more than %d bytes: %w", d.Name, limit, ErrTooLarge)
				}
				hash.Write(buf[:k])
				if _, err := tx.Exec(ctx, `INSERT INTO document_chunks (document_id, n, data) VALUES ($1, $2, $3)`, id, n, buf[:k]); err != nil {
					return err
				}
			}
			if readErr == io.EOF {
				break
			}
			if readErr != nil {
				return readErr
			}
		}
		var err error
		out, err = scanDocument(tx.QueryRow(ctx, `INSERT INTO documents (id, client_id, name, content_type, size, sha256, uploaded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+documentColumns,
			id, d.ClientID, d.Name, d.ContentType, size, hex.EncodeToString(hash.Sum(nil)), viewer.Login))
		return mapConstraint(err, "document "+d.Name)
	})
	return out, err
}

// fill reads into buf until it is full or r fails; unlike io.ReadFull it
// passes io.EOF on as the one sign of the end, so a source that fails with
// io.ErrUnexpectedEOF (a cut multipart body) is not taken for a short file.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Documents lists a client's documents, oldest first.
func (s *Store) Documents(ctx context.Context, viewer Viewer, clientID string) ([]Document, error) {
	if err := seeClient(ctx, s.pool, viewer, clientID); err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+documentColumns+` FROM documents WHERE client_id = $1 ORDER BY uploaded_at, id`, clientID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Document, error) { return scanDocument(r) })
}

// ReadDocument finds a document of a client, calls open with it and copies
// its content, chunk by chunk, to the writer open returns. The metadata and
// the chunks are read from one snapshot, so a document deleted meanwhile is
// still read whole.
func (s *Store) ReadDocument(ctx context.Context, viewer Viewer, clientID, id string, open func(Document) io.Writer) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read only: nothing to keep
	if err := seeClient(ctx, tx, viewer, clientID); err != nil {
		return err
	}
	d, err := scanDocument(tx.QueryRow(ctx, `SELECT `+documentColumns+` FROM documents WHERE id = $1 AND client_id = $2`, id, clientID))
	if err != nil {
		return notFound(err, "document "+id)
	}
	w := open(d)
	rows, _ := tx.Query(ctx, `SELECT data FROM document_chunks WHERE document_id = $1 ORDER BY n`, id)
	defer rows.Close()
	var written int64
	for rows.Next() {
		var chunk pgtype.DriverBytes // the driver's buffer: no copy
		if err := rows.Scan(&chunk); err != nil {
			return err
		}
		k, err := w.Write(chunk)
		written += int64(k)
		if err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
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
