package server

import (
	"github.com/conveyorhq/conveyor/services"
	"net/http"

	"github.com/gin-gonic/gin"
)

// The directories (segments, product groups) are read by everyone signed in
// and changed by admins (see services/organisation.go).
func (s *Server) listNodes(t services.Tree) gin.HandlerFunc {
	return func(c *gin.Context) {
		nodes, err := s.Services.Nodes(c.Request.Context(), t)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, list[services.Node]{Items: nodes})
	}
}

func (s *Server) createNode(t services.Tree) gin.HandlerFunc {
	return func(c *gin.Context) {
		var n services.Node
		if !bindJSON(c, &n) {
			return
		}
		created, err := s.Services.CreateNode(c.Request.Context(), currentUser(c), t, n)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusCreated, created)
	}
}

type nodePatch struct {
	Name   *string `json:"name"`
	Parent *string `json:"parent"`
}

func (s *Server) patchNode(t services.Tree) gin.HandlerFunc {
	return func(c *gin.Context) {
		var p nodePatch
		if !bindJSON(c, &p) {
			return
		}
		n, err := s.Services.UpdateNode(c.Request.Context(), currentUser(c), t, c.Param("id"), p.Name, p.Parent)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, n)
	}
}

func (s *Server) getGrants(c *gin.Context) {
	g, err := s.Services.Grants(c.Request.Context(), currentUser(c), c.Param("login"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

func (s *Server) putGrants(c *gin.Context) {
	var g services.Grants
	if !bindJSON(c, &g) {
		return
	}
	saved, err := s.Services.SetGrants(c.Request.Context(), currentUser(c), c.Param("login"), g)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, saved)
}

// listTeams shows the teams (a user's `teams`) with their active members.
func (s *Server) listTeams(c *gin.Context) {
	teams, err := s.Services.Teams(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list[services.Team]{Items: teams})
}
