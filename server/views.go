package server

import (
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
)

// Saved views as API resources: CRUD under /views, a view's rows, groups
// and export, an unsaved spec run for the moment, and the defaults per
// role. Every rule is the services'; these only translate.

func (s *Server) viewRoutes(authed *gin.RouterGroup) {
	authed.GET("/views", s.listViews)
	authed.POST("/views", s.createView)
	authed.POST("/views/run", s.runSpec)
	authed.GET("/views/:id", s.getView)
	authed.PUT("/views/:id", s.saveView)
	authed.DELETE("/views/:id", s.deleteView)
	authed.POST("/views/:id/copy", s.copyView)
	authed.GET("/views/:id/rows", s.viewRows)
	authed.GET("/views/:id/export", s.exportView)
	authed.GET("/view-columns", s.viewColumns)
	authed.GET("/view-defaults/:list", s.viewDefaults)
	authed.PUT("/view-defaults/:list/:role", s.setViewDefault)
}

func (s *Server) viewSchema(c *gin.Context) {
	c.Data(http.StatusOK, "application/schema+json", services.ViewSchemaJSON())
}

// viewBody reads a body checked by the view's JSON Schema.
func (s *Server) viewBody(c *gin.Context) (services.ViewBody, bool) {
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, maxBody+1))
	if err != nil || len(raw) > maxBody {
		problem(c, http.StatusRequestEntityTooLarge, "body larger than 1 MiB")
		return services.ViewBody{}, false
	}
	b, err := services.ParseViewBody(raw)
	if err != nil {
		s.fail(c, err)
		return services.ViewBody{}, false
	}
	return b, true
}

func (s *Server) listViews(c *gin.Context) {
	views, err := s.Services.Views(c.Request.Context(), currentUser(c), c.Query("list"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": views})
}

func (s *Server) createView(c *gin.Context) {
	b, ok := s.viewBody(c)
	if !ok {
		return
	}
	v, err := s.Services.CreateView(c.Request.Context(), currentUser(c), b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/views/"+v.ID)
	c.JSON(http.StatusCreated, v)
}

func (s *Server) getView(c *gin.Context) {
	v, err := s.Services.View(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) saveView(c *gin.Context) {
	b, ok := s.viewBody(c)
	if !ok {
		return
	}
	v, err := s.Services.SaveView(c.Request.Context(), currentUser(c), c.Param("id"), b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) deleteView(c *gin.Context) {
	if err := s.Services.DeleteView(c.Request.Context(), currentUser(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// copyView is "save as mine": {name} optional.
func (s *Server) copyView(c *gin.Context) {
	var body struct {
		Name string `json:"name"`
	}
	if c.Request.ContentLength != 0 && !bindJSON(c, &body) {
		return
	}
	v, err := s.Services.CopyView(c.Request.Context(), currentUser(c), c.Param("id"), body.Name)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/views/"+v.ID)
	c.JSON(http.StatusCreated, v)
}

// viewRows is a page of a saved view (?after= the previous page's next).
func (s *Server) viewRows(c *gin.Context) {
	ctx, me := c.Request.Context(), currentUser(c)
	v, err := s.Services.View(ctx, me, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.Services.RunView(ctx, me, v.List, v.Spec, c.Query("after"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// runSpec runs a view that is not saved, e.g. a locked view filtered for
// the moment: the body is a view's (its name is not used).
func (s *Server) runSpec(c *gin.Context) {
	b, ok := s.viewBody(c)
	if !ok {
		return
	}
	res, err := s.Services.RunView(c.Request.Context(), currentUser(c), b.List, b.Spec, c.Query("after"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) viewColumns(c *gin.Context) {
	cols, err := s.Services.ViewColumns(c.Request.Context(), currentUser(c), c.Query("list"), c.Query("definition"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": cols})
}

func (s *Server) viewDefaults(c *gin.Context) {
	d, err := s.Services.ViewDefaults(c.Request.Context(), c.Param("list"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// setViewDefault takes {view}; "" clears the role's default.
func (s *Server) setViewDefault(c *gin.Context) {
	var body struct {
		View string `json:"view"`
	}
	if !bindJSON(c, &body) {
		return
	}
	if err := s.Services.SetViewDefault(c.Request.Context(), currentUser(c), c.Param("list"), c.Param("role"), body.View); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// exportView streams a saved view as ?format=csv (default) or xlsx, the
// columns headed by their keys, or their schema titles for fields.
func (s *Server) exportView(c *gin.Context) {
	ctx, me := c.Request.Context(), currentUser(c)
	v, err := s.Services.View(ctx, me, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	format := c.DefaultQuery("format", services.FormatCSV)
	if services.ExportContentType(format) == "" {
		problem(c, http.StatusUnprocessableEntity, "no such format", FieldError{Path: "format", Message: "must be csv or xlsx"})
		return
	}
	c.Header("Content-Type", services.ExportContentType(format))
	c.Header("Content-Disposition", `attachment; filename="view.`+format+`"`)
	title := func(col services.ViewColumn) string {
		if col.Title != "" {
			return col.Title
		}
		return col.Key
	}
	if err := s.Services.WriteView(ctx, me, v.List, v.Spec, format, v.Name, title, c.Writer); err != nil {
		if !c.Writer.Written() {
			c.Writer.Header().Del("Content-Disposition")
			c.Writer.Header().Del("Content-Type")
			s.fail(c, err)
			return
		}
		s.Log.WarnContext(ctx, "export cut short", "view", v.ID, "error", err)
	}
}
