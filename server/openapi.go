package server

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDocument is the OpenAPI 3.1 description of the API. openapi_test.go
// keeps it in step with the routes of Handler.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPI serves the OpenAPI document; anyone may read it.
func (s *Server) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", openAPIDocument)
}
