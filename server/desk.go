package server

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// The caller's desktop: live counts, pins, the team's load.

func (s *Server) deskRoutes(authed *gin.RouterGroup) {
	authed.GET("/desk", s.getDesk)
	authed.POST("/desk/pins", s.addPin)
	authed.DELETE("/desk/pins/:id", s.removePin)
	authed.POST("/desk/pins/:id/move", s.movePin)
}

func (s *Server) getDesk(c *gin.Context) {
	d, err := s.Services.Desk(c.Request.Context(), currentUser(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// addPin takes {view} or {funnel: definition}.
func (s *Server) addPin(c *gin.Context) {
	var body struct {
		View   string `json:"view"`
		Funnel string `json:"funnel"`
	}
	if !bindJSON(c, &body) {
		return
	}
	ctx, me := c.Request.Context(), currentUser(c)
	var err error
	var pin any
	switch {
	case body.View != "" && body.Funnel == "":
		pin, err = s.Services.PinView(ctx, me, body.View)
	case body.Funnel != "" && body.View == "":
		pin, err = s.Services.PinFunnel(ctx, me, body.Funnel)
	default:
		problem(c, http.StatusUnprocessableEntity, "a pin is a view or a funnel", FieldError{Path: "/view", Message: "give view or funnel, one of them"})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, pin)
}

func pinID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		problem(c, http.StatusNotFound, "no such pin")
		return 0, false
	}
	return id, true
}

func (s *Server) removePin(c *gin.Context) {
	id, ok := pinID(c)
	if !ok {
		return
	}
	if err := s.Services.Unpin(c.Request.Context(), currentUser(c), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// movePin takes {by: -1 | 1}.
func (s *Server) movePin(c *gin.Context) {
	id, ok := pinID(c)
	if !ok {
		return
	}
	var body struct {
		By int `json:"by"`
	}
	if !bindJSON(c, &body) {
		return
	}
	if err := s.Services.MovePin(c.Request.Context(), currentUser(c), id, body.By); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
