package server

import (
	"errors"
	"fmt"
	"github.com/conveyorhq/conveyor/services"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
)

func (s *Server) definitionSchema(c *gin.Context) {
	c.Data(http.StatusOK, "application/schema+json", definitions.SchemaJSON())
}

type publishResponse struct {
	Valid   bool              `json:"valid"`
	Created bool              `json:"created"`
	Version *services.Version `json:"version,omitempty"`
	// Warnings are what compiles but is likely not meant, each at its
	// line and column; the definition is published all the same.
	Warnings []FieldError `json:"warnings"`
}

// publishDefinition validates a YAML definition and publishes it as the next
// version; with ?dryRun=true it only validates. Every problem comes back at
// once, with its line and column.
func (s *Server) publishDefinition(c *gin.Context) {
	// The language's own bound: a larger body is refused before it is read
	// further, let alone parsed.
	src, err := io.ReadAll(io.LimitReader(c.Request.Body, definitions.MaxDefinitionBytes+1))
	if err != nil {
		problem(c, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	if len(src) > definitions.MaxDefinitionBytes {
		problem(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("a definition is at most %d bytes", definitions.MaxDefinitionBytes))
		return
	}
	dryRun := c.Query("dryRun") == "true"
	pub, err := s.Services.PublishDefinition(c.Request.Context(), currentUser(c), src, services.Intent{DryRun: dryRun, Of: c.Query("of"), New: c.Query("new") == "true"})
	var problems definitions.Problems
	if errors.As(err, &problems) {
		fields := make([]FieldError, len(problems))
		for i, p := range problems {
			fields[i] = FieldError{Path: p.Path, Line: p.Line, Column: p.Column, Message: p.Message}
		}
		problem(c, http.StatusUnprocessableEntity, strconv.Itoa(len(problems))+" problem(s) in the definition", fields...)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	warnings := make([]FieldError, len(pub.Warnings))
	for i, p := range pub.Warnings {
		warnings[i] = FieldError{Path: p.Path, Line: p.Line, Column: p.Column, Message: p.Message}
	}
	if dryRun {
		c.JSON(http.StatusOK, publishResponse{Valid: true, Warnings: warnings})
		return
	}
	status := http.StatusOK
	if pub.Created {
		status = http.StatusCreated
	}
	c.JSON(status, publishResponse{Valid: true, Created: pub.Created, Version: &pub.Version, Warnings: warnings})
}

func (s *Server) listDefinitions(c *gin.Context) {
	defs, err := s.Services.Definitions(c.Request.Context(), currentUser(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list[services.Version]{Items: defs})
}

type definitionResponse struct {
	services.Version
	Versions []services.Version `json:"versions"`
}

// getDefinition is the latest version with its source and plan, and the
// list of all versions.
func (s *Server) getDefinition(c *gin.Context) {
	latest, versions, err := s.Services.Definition(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, definitionResponse{Version: latest, Versions: versions})
}

func (s *Server) getDefinitionVersion(c *gin.Context) {
	n, err := strconv.Atoi(c.Param("version"))
	if err != nil {
		s.fail(c, refusal.ErrNotFound)
		return
	}
	v, err := s.Services.DefinitionVersion(c.Request.Context(), currentUser(c), c.Param("id"), n)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
