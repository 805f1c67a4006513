package services

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

const (
	// MaxDocumentSize is the largest document accepted.
	MaxDocumentSize = 10 << 20
	// MaxUploadBody is the largest request carrying one: the document and
	// the multipart framing around it (the CSRF token, the part headers).
	MaxUploadBody = MaxDocumentSize + 64<<10
)

// Why an upload is refused.
const (
	DocumentEmpty = iota + 1
	DocumentTooLarge
	DocumentType // not of documentTypes
)

// DocumentError is an upload refused for what it is. It is
// refusal.ErrInvalid.
type DocumentError struct {
	Reason int
	Type   string // the type sniffed, for DocumentType
}

func (e *DocumentError) Error() string {
	switch e.Reason {
	case DocumentEmpty:
		return "the file is empty"
	case DocumentTooLarge:
		return "a document may be at most 10 MiB"
	}
	return "a document of type " + e.Type + " is not accepted: PDF, PNG, JPEG, UTF-8 text and office documents are"
}

func (e *DocumentError) Unwrap() error { return refusal.ErrInvalid }

// UploadDocument stores a document of a client by may see, read from
// content as it arrives: its type told by its first 512 bytes (against
// documentTypes), at most MaxDocumentSize bytes, spooled by the store
// to a temporary file before its one short transaction. The client is
// checked before anything is read. An error reading content comes back as
// it is, unless it is the request's size cap (a *DocumentError then).
func (s *Services) UploadDocument(ctx context.Context, by store.User, clientID, name string, content io.Reader) (store.Document, error) {
	v := viewerOf(by)
	if err := s.Store.CanSeeClient(ctx, v, clientID); err != nil {
		return store.Document{}, err
	}
	// The first 512 bytes, or all there are: only io.EOF ends the file, as
	// a cut body fails with io.ErrUnexpectedEOF.
	head := make([]byte, 0, 512)
	for len(head) < cap(head) {
		k, err := content.Read(head[len(head):cap(head)])
		head = head[:len(head)+k]
		if err == io.EOF {
			break
		}
		if err != nil {
			return store.Document{}, tooLarge(err)
		}
	}
	if len(head) == 0 {
		return store.Document{}, &DocumentError{Reason: DocumentEmpty}
	}
	contentType := http.DetectContentType(head)
	if !slices.Contains(documentTypes, contentType) {
		return store.Document{}, &DocumentError{Reason: DocumentType, Type: contentType}
	}
	doc, err := s.Store.CreateDocument(ctx, v, store.Document{ClientID: clientID, Name: documentName(name), ContentType: contentType},
		io.MultiReader(bytes.NewReader(head), content), MaxDocumentSize)
	if errors.Is(err, store.ErrTooLarge) {
		return store.Document{}, &DocumentError{Reason: DocumentTooLarge}
	}
	return doc, tooLarge(err)
}

// tooLarge is a request over its size cap as a document too large.
func tooLarge(err error) error {
	var capped *http.MaxBytesError
	if errors.As(err, &capped) {
		return &DocumentError{Reason: DocumentTooLarge}
	}
	return err
}

func (s *Services) Documents(ctx context.Context, by store.User, clientID string) ([]store.Document, error) {
	return s.Store.Documents(ctx, viewerOf(by), clientID)
}

// DownloadDocument streams a document of a client by may see to w as an
// attachment (downloadHeaders: its type, no sniffing, a
// sandbox), a chunk a query as the store reads it. Started tells whether the
// headers were given: an error before is the caller's to report, one after
// can only cut the body short.
func (s *Services) DownloadDocument(ctx context.Context, by store.User, clientID, id string, w http.ResponseWriter) (started bool, err error) {
	err = s.Store.ReadDocument(ctx, viewerOf(by), clientID, id, func(d store.Document) io.Writer {
		for k, v := range downloadHeaders(d) {
			w.Header().Set(k, v)
		}
		w.WriteHeader(http.StatusOK)
		started = true
		return w
	})
	return started, err
}

func (s *Services) DeleteDocument(ctx context.Context, by store.User, clientID, id string) error {
	return s.Store.DeleteDocument(ctx, viewerOf(by), clientID, id)
}
