package server

import (
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
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

// --- addresses

type addressRequest struct {
	Kind      *string `json:"kind"`
	Text      *string `json:"text"`
	IsPrimary *bool   `json:"isPrimary"`
}

func (r addressRequest) input() services.AddressInput {
	return services.AddressInput{Kind: r.Kind, Text: r.Text, IsPrimary: r.IsPrimary}
}

func (s *Server) listAddresses(c *gin.Context) {
	items, err := s.Services.Addresses(c.Request.Context(), currentUser(c), c.Param("id"))
	cardList(s, c, items, err)
}

func (s *Server) createAddress(c *gin.Context) {
	var req addressRequest
	if !bindJSON(c, &req) {
		return
	}
	a, err := s.Services.CreateAddress(c.Request.Context(), currentUser(c), c.Param("id"), req.input())
	cardDone(s, c, http.StatusCreated, a, err)
}

func (s *Server) patchAddress(c *gin.Context) {
	var req addressRequest
	if !bindJSON(c, &req) {
		return
	}
	a, err := s.Services.UpdateAddress(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("addressId"), req.input())
	cardDone(s, c, http.StatusOK, a, err)
}

func (s *Server) deleteAddress(c *gin.Context) {
	err := s.Services.DeleteAddress(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("addressId"))
	cardDone(s, c, http.StatusNoContent, nil, err)
}

// --- bank accounts

type bankAccountRequest struct {
	BIK       string `json:"bik"`
	Account   string `json:"account"`
	BankName  string `json:"bankName"`
	IsPrimary bool   `json:"isPrimary"`
}

func (s *Server) listBankAccounts(c *gin.Context) {
	items, err := s.Services.BankAccounts(c.Request.Context(), currentUser(c), c.Param("id"))
	cardList(s, c, items, err)
}

func (s *Server) createBankAccount(c *gin.Context) {
	var req bankAccountRequest
	if !bindJSON(c, &req) {
		return
	}
	b, err := s.Services.CreateBankAccount(c.Request.Context(), currentUser(c), c.Param("id"), services.BankAccountInput(req))
	cardDone(s, c, http.StatusCreated, b, err)
}

func (s *Server) deleteBankAccount(c *gin.Context) {
	err := s.Services.DeleteBankAccount(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("accountId"))
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

func (s *Server) listContacts(c *gin.Context) {
	items, err := s.Services.Contacts(c.Request.Context(), currentUser(c), c.Param("id"))
	cardList(s, c, items, err)
}

func (s *Server) createContact(c *gin.Context) {
	var req contactRequest
	if !bindJSON(c, &req) {
		return
	}
	ct, err := s.Services.CreateContact(c.Request.Context(), currentUser(c), c.Param("id"), services.ContactInput(req))
	cardDone(s, c, http.StatusCreated, ct, err)
}

func (s *Server) patchContact(c *gin.Context) {
	var req contactRequest
	if !bindJSON(c, &req) {
		return
	}
	ct, err := s.Services.UpdateContact(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("contactId"), services.ContactInput(req))
	cardDone(s, c, http.StatusOK, ct, err)
}

func (s *Server) deleteContact(c *gin.Context) {
	err := s.Services.DeleteContact(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("contactId"))
	cardDone(s, c, http.StatusNoContent, nil, err)
}

// --- characteristics

type characteristicRequest struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

func (s *Server) listCharacteristics(c *gin.Context) {
	items, err := s.Services.Characteristics(c.Request.Context())
	cardList(s, c, items, err)
}

func (s *Server) createCharacteristic(c *gin.Context) {
	var req characteristicRequest
	if !bindJSON(c, &req) {
		return
	}
	ch, err := s.Services.CreateCharacteristic(c.Request.Context(), currentUser(c),
		services.Characteristic{ID: req.ID, Name: req.Name, Type: req.Type, Values: req.Values})
	cardDone(s, c, http.StatusCreated, ch, err)
}

func (s *Server) characteristicValues(c *gin.Context) {
	values, err := s.Services.CharacteristicValues(c.Request.Context(), currentUser(c), c.Param("id"))
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
	value, err := s.Services.SetCharacteristicValue(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("charId"), req.Value)
	cardDone(s, c, http.StatusOK, valueRequest{Value: value}, err)
}

func (s *Server) deleteCharacteristicValue(c *gin.Context) {
	err := s.Services.DeleteCharacteristicValue(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("charId"))
	cardDone(s, c, http.StatusNoContent, nil, err)
}

// --- documents

func (s *Server) listDocuments(c *gin.Context) {
	items, err := s.Services.Documents(c.Request.Context(), currentUser(c), c.Param("id"))
	cardList(s, c, items, err)
}

// uploadReader remembers the first error reading the upload, to tell a broken
// request from a failure of the store.
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

// uploadDocument takes the multipart/form-data field "file" and hands it to
// the service as it arrives (see services.UploadDocument).
func (s *Server) uploadDocument(c *gin.Context) {
	if c.Request.ContentLength > services.MaxUploadBody {
		s.fail(c, &services.DocumentError{Reason: services.DocumentTooLarge})
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, services.MaxUploadBody)
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
			s.uploadFailed(c, err)
			return
		}
		if p.FormName() == "file" {
			part = p
		}
	}
	body := &uploadReader{r: part}
	doc, err := s.Services.UploadDocument(c.Request.Context(), currentUser(c), c.Param("id"), part.FileName(), body)
	var refused *services.DocumentError
	if err != nil && body.err != nil && !errors.As(err, &refused) {
		s.uploadFailed(c, body.err)
		return
	}
	cardDone(s, c, http.StatusCreated, doc, err)
}

// uploadFailed answers an error reading the request body: the size cap, or
// a broken request.
func (s *Server) uploadFailed(c *gin.Context, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.fail(c, &services.DocumentError{Reason: services.DocumentTooLarge})
		return
	}
	problem(c, http.StatusBadRequest, "reading the upload: "+err.Error())
}

// downloadDocument streams a document's content as the store reads it, a
// chunk a query; a failure once it has begun can only cut it short.
func (s *Server) downloadDocument(c *gin.Context) {
	started, err := s.Services.DownloadDocument(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("docId"), c.Writer)
	switch {
	case err != nil && started:
		s.Log.ErrorContext(c.Request.Context(), "document download failed", "document", c.Param("docId"), "error", err)
		c.Abort()
	case err != nil:
		s.fail(c, err)
	}
}

func (s *Server) deleteDocument(c *gin.Context) {
	err := s.Services.DeleteDocument(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("docId"))
	cardDone(s, c, http.StatusNoContent, nil, err)
}
