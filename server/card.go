package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/identifiers"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/web"
)

// The client card. Everything under /clients/{id} is served to whoever may
// see the client, who may also change it; anyone else finds no client.

// cardRoutes adds the client card's endpoints and the characteristic
// definitions.
func (s *Server) cardRoutes(r *gin.RouterGroup) {
	r.GET("/characteristics", s.listCharacteristics)
	r.POST("/characteristics", s.createCharacteristic)

	cl := r.Group("/clients/:id")
	cl.GET("/addresses", s.listAddresses)
	cl.POST("/addresses", s.createAddress)
	cl.PATCH("/addresses/:addressId", s.patchAddress)
	cl.DELETE("/addresses/:addressId", s.deleteAddress)

	cl.GET("/bank-accounts", s.listBankAccounts)
	cl.POST("/bank-accounts", s.createBankAccount)
	cl.DELETE("/bank-accounts/:accountId", s.deleteBankAccount)

	cl.GET("/contacts", s.listContacts)
	cl.POST("/contacts", s.createContact)
	cl.PATCH("/contacts/:contactId", s.patchContact)
	cl.DELETE("/contacts/:contactId", s.deleteContact)

	cl.GET("/characteristics", s.characteristicValues)
	cl.PUT("/characteristics/:charId", s.putCharacteristicValue)
	cl.DELETE("/characteristics/:charId", s.deleteCharacteristicValue)

	cl.GET("/documents", s.listDocuments)
	cl.POST("/documents", s.uploadDocument)
	cl.GET("/documents/:docId", s.downloadDocument)
	cl.DELETE("/documents/:docId", s.deleteDocument)
}

// cardList answers a list of card entries, or the error getting it.
func cardList[T any](s *Server, c *gin.Context, items []T, err error) {
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list[T]{Items: items})
}

// cardDone answers a change of the card with status and v, or the error.
func cardDone(s *Server, c *gin.Context, status int, v any, err error) {
	switch {
	case err != nil:
		s.fail(c, err)
	case v == nil:
		c.Status(status)
	default:
		c.JSON(status, v)
	}
}

// checkText trims a given string field and checks it against the bounds
// table: not empty (when required), at most max characters, no NULs or
// other control characters (line breaks pass: addresses and notes have
// them).
func checkText(out *[]FieldError, path string, v *string, required bool, max int) {
	if v == nil {
		if required {
			*out = append(*out, FieldError{Path: path, Message: "required"})
		}
		return
	}
	*v = strings.TrimSpace(*v)
	if bad := (limits.Field{Required: required, Max: max, Multiline: true}).Check(path, *v); bad != nil {
		*out = append(*out, FieldError{Path: path, Message: bad.Message()})
	}
}

// --- addresses

var addressKinds = []string{store.AddressLegal, store.AddressPostal, store.AddressDelivery}

type addressRequest struct {
	Kind      *string `json:"kind"`
	Text      *string `json:"text"`
	IsPrimary *bool   `json:"isPrimary"`
}

func (r *addressRequest) check(create bool) []FieldError {
	var out []FieldError
	if r.Kind == nil && create {
		out = append(out, FieldError{Path: "/kind", Message: "required: one of " + strings.Join(addressKinds, ", ")})
	} else if r.Kind != nil && !slices.Contains(addressKinds, *r.Kind) {
		out = append(out, FieldError{Path: "/kind", Message: "must be one of " + strings.Join(addressKinds, ", ")})
	}
	checkText(&out, "/text", r.Text, create || r.Text != nil, 2000)
	return out
}

func (s *Server) listAddresses(c *gin.Context) {
	items, err := s.Store.Addresses(c.Request.Context(), viewer(currentUser(c)), c.Param("id"))
	cardList(s, c, items, err)
}

func (s *Server) createAddress(c *gin.Context) {
	var req addressRequest
	if !bindJSON(c, &req) {
		return
	}
	if bad := req.check(true); len(bad) > 0 {
		problem(c, http.StatusUnprocessableEntity, "invalid address", bad...)
		return
	}
	a, err := s.Store.CreateAddress(c.Request.Context(), viewer(currentUser(c)), store.Address{
		ClientID: c.Param("id"), Kind: *req.Kind, Text: *req.Text, IsPrimary: req.IsPrimary != nil && *req.IsPrimary})
	cardDone(s, c, http.StatusCreated, a, err)
}

func (s *Server) patchAddress(c *gin.Context) {
	var req addressRequest
	if !bindJSON(c, &req) {
		return
	}
	if bad := req.check(false); len(bad) > 0 {
		problem(c, http.StatusUnprocessableEntity, "invalid address", bad...)
		return
	}
	a, err := s.Store.UpdateAddress(c.Request.Context(), viewer(currentUser(c)), c.Param("id"), c.Param("addressId"),
		store.AddressPatch{Kind: req.Kind, Text: req.Text, IsPrimary: req.IsPrimary})
	cardDone(s, c, http.StatusOK, a, err)
}

func (s *Server) deleteAddress(c *gin.Context) {
	err := s.Store.DeleteAddress(c.Request.Context(), viewer(currentUser(c)), c.Param("id"), c.Param("addressId"))
	cardDone(s, c, http.StatusNoContent, nil, err)
}

// --- bank accounts

type bankAccountRequest struct {
	BIK       string `json:"bik"`
	Account   string `json:"account"`
	BankName  string `json:"bankName"`
	IsPrimary bool   `json:"isPrimary"`
}

// check normalises the BIK and the account and verifies them, the account
// with its control key against the BIK.
func (r *bankAccountRequest) check() []FieldError {
	var out []FieldError
	r.BIK, r.Account = identifiers.Normalize(r.BIK), identifiers.Normalize(r.Account)
	if err := identifiers.BIK(r.BIK); err != nil {
		out = append(out, FieldError{Path: "/bik", Message: err.Error()})
	} else if err := identifiers.Account(r.BIK, r.Account); err != nil {
		out = append(out, FieldError{Path: "/account", Message: err.Error()})
	}
	r.BankName = strings.TrimSpace(r.BankName)
	if utf8.RuneCountInString(r.BankName) > 500 {
		out = append(out, FieldError{Path: "/bankName", Message: "must be at most 500 characters"})
	}
	return out
}

func (s *Server) listBankAccounts(c *gin.Context) {
	items, err := s.Store.BankAccounts(c.Request.Context(), viewer(currentUser(c)), c.Param("id"))
	cardList(s, c, items, err)
}

func (s *Server) createBankAccount(c *gin.Context) {
	var req bankAccountRequest
	if !bindJSON(c, &req) {
		return
	}
	if bad := req.check(); len(bad) > 0 {
		problem(c, http.StatusUnprocessableEntity, "invalid bank account", bad...)
		return
	}
	b, err := s.Store.CreateBankAccount(c.Request.Context(), viewer(currentUser(c)), store.BankAccount{
		ClientID: c.Param("id"), BIK: req.BIK, Account: req.Account, BankName: req.BankName, IsPrimary: req.IsPrimary})
	cardDone(s, c, http.StatusCreated, b, err)
}

func (s *Server) deleteBankAccount(c *gin.Context) {
	err := s.Store.DeleteBankAccount(c.Request.Context(), viewer(currentUser(c)), c.Param("id"), c.Param("accountId"))
	cardDone(s, c, http.StatusNoContent, nil, err)
}

// --- contacts

type contactRequest struct {
	Name     *string `json:"name"`
	Position *string `json:"position"`
	Phone    *string `json:"phone"`
	Email    *string `json:"email"`
	Note     *string `json:"note"`
}

func (r *contactRequest) check(create bool) []FieldError {
	var out []FieldError
	checkText(&out, "/name", r.Name, create || r.Name != nil, 500)
	checkText(&out, "/position", r.Position, false, 500)
	checkText(&out, "/phone", r.Phone, false, 100)
	checkText(&out, "/email", r.Email, false, 320)
	checkText(&out, "/note", r.Note, false, 4000)
	if r.Email != nil && *r.Email != "" && !store.ValidEmail(*r.Email) {
		out = append(out, FieldError{Path: "/email", Message: "not an email address like name@example.com"})
	}
	return out
}

func (s *Server) listContacts(c *gin.Context) {
	items, err := s.Store.Contacts(c.Request.Context(), viewer(currentUser(c)), c.Param("id"))
	cardList(s, c, items, err)
}

func (s *Server) createContact(c *gin.Context) {
	var req contactRequest
	if !bindJSON(c, &req) {
		return
	}
	if bad := req.check(true); len(bad) > 0 {
		problem(c, http.StatusUnprocessableEntity, "invalid contact", bad...)
		return
	}
	ct, err := s.Store.CreateContact(c.Request.Context(), viewer(currentUser(c)), store.Contact{
		ClientID: c.Param("id"), Name: *req.Name, Position: deref(req.Position), Phone: deref(req.Phone),
		Email: deref(req.Email), Note: deref(req.Note)})
	cardDone(s, c, http.StatusCreated, ct, err)
}

func (s *Server) patchContact(c *gin.Context) {
	var req contactRequest
	if !bindJSON(c, &req) {
		return
	}
	if bad := req.check(false); len(bad) > 0 {
		problem(c, http.StatusUnprocessableEntity, "invalid contact", bad...)
		return
	}
	ct, err := s.Store.UpdateContact(c.Request.Context(), viewer(currentUser(c)), c.Param("id"), c.Param("contactId"),
		store.ContactPatch{Name: req.Name, Position: req.Position, Phone: req.Phone, Email: req.Email, Note: req.Note})
	cardDone(s, c, http.StatusOK, ct, err)
}

func (s *Server) deleteContact(c *gin.Context) {
	err := s.Store.DeleteContact(c.Request.Context(), viewer(currentUser(c)), c.Param("id"), c.Param("contactId"))
	cardDone(s, c, http.StatusNoContent, nil, err)
}

// --- characteristics

var (
	characteristicTypes = []string{store.CharString, store.CharNumber, store.CharDate, store.CharEnum}
	characteristicSlug  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
)

type characteristicRequest struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

func (r *characteristicRequest) check() []FieldError {
	var out []FieldError
	if !characteristicSlug.MatchString(r.ID) {
		out = append(out, FieldError{Path: "/id", Message: "must be a slug: lower-case letters, digits, '.', '_', '-', at most 63"})
	}
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		out = append(out, FieldError{Path: "/name", Message: "required"})
	}
	switch {
	case !slices.Contains(characteristicTypes, r.Type):
		out = append(out, FieldError{Path: "/type", Message: "must be one of " + strings.Join(characteristicTypes, ", ")})
	case r.Type == store.CharEnum && len(r.Values) == 0:
		out = append(out, FieldError{Path: "/values", Message: "an enum needs its values"})
	case r.Type != store.CharEnum && len(r.Values) > 0:
		out = append(out, FieldError{Path: "/values", Message: "only an enum has values"})
	}
	seen := map[string]bool{}
	for i, v := range r.Values {
		path := "/values/" + strconv.Itoa(i)
		switch {
		case strings.TrimSpace(v) == "":
			out = append(out, FieldError{Path: path, Message: "must not be empty"})
		case seen[v]:
			out = append(out, FieldError{Path: path, Message: "repeats " + strconv.Quote(v)})
		}
		seen[v] = true
	}
	return out
}

func (s *Server) listCharacteristics(c *gin.Context) {
	items, err := s.Store.Characteristics(c.Request.Context())
	cardList(s, c, items, err)
}

// createCharacteristic: admins only.
func (s *Server) createCharacteristic(c *gin.Context) {
	if !requireRole(c) {
		return
	}
	var req characteristicRequest
	if !bindJSON(c, &req) {
		return
	}
	if bad := req.check(); len(bad) > 0 {
		problem(c, http.StatusUnprocessableEntity, "invalid characteristic", bad...)
		return
	}
	ch, err := s.Store.CreateCharacteristic(c.Request.Context(), store.Characteristic{ID: req.ID, Name: req.Name, Type: req.Type, Values: req.Values})
	cardDone(s, c, http.StatusCreated, ch, err)
}

func (s *Server) characteristicValues(c *gin.Context) {
	values, err := s.Store.CharacteristicValues(c.Request.Context(), viewer(currentUser(c)), c.Param("id"))
	cardDone(s, c, http.StatusOK, values, err)
}

type valueRequest struct {
	Value json.RawMessage `json:"value"`
}

func (s *Server) putCharacteristicValue(c *gin.Context) {
	var req valueRequest
	if !bindJSON(c, &req) {
		return
	}
	value, err := s.Store.SetCharacteristicValue(c.Request.Context(), viewer(currentUser(c)), c.Param("id"), c.Param("charId"), req.Value)
	var bad *store.ValueError
	if errors.As(err, &bad) {
		problem(c, http.StatusUnprocessableEntity, "invalid value of characteristic "+bad.Characteristic,
			FieldError{Path: "/value", Message: bad.Reason})
		return
	}
	cardDone(s, c, http.StatusOK, valueRequest{Value: value}, err)
}

func (s *Server) deleteCharacteristicValue(c *gin.Context) {
	err := s.Store.DeleteCharacteristicValue(c.Request.Context(), viewer(currentUser(c)), c.Param("id"), c.Param("charId"))
	cardDone(s, c, http.StatusNoContent, nil, err)
}

// --- documents

const (
	// maxDocumentSize is the largest document accepted.
	maxDocumentSize = 10 << 20
	// maxUploadBody allows the multipart framing around a document.
	maxUploadBody = maxDocumentSize + 64<<10
)

func (s *Server) listDocuments(c *gin.Context) {
	items, err := s.Store.Documents(c.Request.Context(), viewer(currentUser(c)), c.Param("id"))
	cardList(s, c, items, err)
}

// uploadReader remembers the first error reading the upload, to tell a broken
// or oversized request from a failure of the store.
type uploadReader struct {
	r   io.Reader
	err error
}

func (r *uploadReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

// uploadFailed answers an error reading the request body.
func uploadFailed(c *gin.Context, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		problem(c, http.StatusRequestEntityTooLarge, "a document may be at most 10 MiB")
		return
	}
	problem(c, http.StatusBadRequest, "reading the upload: "+err.Error())
}

// uploadDocument takes the multipart/form-data field "file": checked by its
// first 512 bytes against store.DocumentTypes, then handed to the store,
// which reads it to a temporary file as it arrives (never whole in memory,
// no transaction open meanwhile) and writes it in one short transaction.
func (s *Server) uploadDocument(c *gin.Context) {
	ctx, v, clientID := c.Request.Context(), viewer(currentUser(c)), c.Param("id")
	if err := s.Store.CanSeeClient(ctx, v, clientID); err != nil {
		s.fail(c, err)
		return
	}
	if c.Request.ContentLength > maxUploadBody {
		problem(c, http.StatusRequestEntityTooLarge, "a document may be at most 10 MiB")
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxUploadBody)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		problem(c, http.StatusUnsupportedMediaType, `upload a document as multipart/form-data in the field "file"`)
		return
	}
	var part *multipart.Part
	for part == nil {
		p, err := mr.NextPart()
		if err == io.EOF {
			problem(c, http.StatusBadRequest, `no field "file" in the form`)
			return
		}
		if err != nil {
			uploadFailed(c, err)
			return
		}
		if p.FormName() == "file" {
			part = p
		}
	}
	// The first 512 bytes, or all there are: only io.EOF ends the file, as
	// a cut body fails with io.ErrUnexpectedEOF.
	head := make([]byte, 0, 512)
	for len(head) < cap(head) {
		k, err := part.Read(head[len(head):cap(head)])
		head = head[:len(head)+k]
		if err == io.EOF {
			break
		}
		if err != nil {
			uploadFailed(c, err)
			return
		}
	}
	n := len(head)
	if n == 0 {
		problem(c, http.StatusUnprocessableEntity, "the file is empty", FieldError{Path: "file", Message: "empty"})
		return
	}
	contentType := http.DetectContentType(head)
	if !slices.Contains(store.DocumentTypes, contentType) {
		problem(c, http.StatusUnsupportedMediaType, "a document of type "+contentType+
			" is not accepted: PDF, PNG, JPEG, UTF-8 text and office documents are")
		return
	}
	body := &uploadReader{r: io.MultiReader(bytes.NewReader(head), part)}
	doc, err := s.Store.CreateDocument(ctx, v, store.Document{ClientID: clientID, Name: store.DocumentName(part.FileName()), ContentType: contentType},
		body, maxDocumentSize)
	switch {
	case errors.Is(err, store.ErrTooLarge):
		problem(c, http.StatusRequestEntityTooLarge, "a document may be at most 10 MiB")
	case err != nil && body.err != nil:
		uploadFailed(c, body.err)
	default:
		cardDone(s, c, http.StatusCreated, doc, err)
	}
}

// downloadDocument streams a document's content as the store reads it, a
// chunk a query.
func (s *Server) downloadDocument(c *gin.Context) {
	if err := web.SendDocument(c, s.Store, viewer(currentUser(c)), s.Log); err != nil {
		s.fail(c, err)
	}
}

func (s *Server) deleteDocument(c *gin.Context) {
	err := s.Store.DeleteDocument(c.Request.Context(), viewer(currentUser(c)), c.Param("id"), c.Param("docId"))
	cardDone(s, c, http.StatusNoContent, nil, err)
}
