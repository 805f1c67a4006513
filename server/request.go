package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

const maxBody = 1 << 20

// bindJSON decodes a JSON request body strictly: unknown fields and
// trailing data are refused with 400 and the JSON path of the problem.
func bindJSON(c *gin.Context, v any) bool {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxBody+1))
	if err != nil {
		problem(c, http.StatusBadRequest, "reading the body: "+err.Error())
		return false
	}
	if len(body) > maxBody {
		problem(c, http.StatusRequestEntityTooLarge, "body larger than 1 MiB")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON value")
	}
	if err == nil {
		return true
	}
	field := FieldError{Path: "", Message: err.Error()}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field = FieldError{Path: "/" + strings.ReplaceAll(typeErr.Field, ".", "/"),
			Message: "must be " + typeErr.Type.String() + ", not " + typeErr.Value}
	} else if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field = FieldError{Path: "/" + strings.Trim(name, `"`), Message: "unknown field"}
	}
	problem(c, http.StatusBadRequest, "malformed JSON body", field)
	return false
}
