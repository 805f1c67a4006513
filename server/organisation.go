package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/store"
)

// The directories (segments, product groups) are read by everyone signed in
// and changed by admins.
func (s *Server) listNodes(t store.Tree) gin.HandlerFunc {
	return func(c *gin.Context) {
		nodes, err := s.Store.Nodes(c.Request.Context(), t)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, list[store.Node]{Items: nodes})
	}
}

func (s *Server) createNode(t store.Tree) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !requireRole(c) {
			return
		}
		var n store.Node
		if !bindJSON(c, &n) {
			return
		}
		created, err := s.Store.CreateNode(c.Request.Context(), t, n)
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

func (s *Server) patchNode(t store.Tree) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !requireRole(c) {
			return
		}
		var p nodePatch
		if !bindJSON(c, &p) {
			return
		}
		n, err := s.Store.UpdateNode(c.Request.Context(), t, c.Param("id"), p.Name, p.Parent)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, n)
	}
}

// getGrants: a user's own grants, or anyone's for admins and supervisors.
func (s *Server) getGrants(c *gin.Context) {
	if currentUser(c).Login != c.Param("login") && !requireRole(c, store.RoleSupervisor) {
		return
	}
	g, err := s.Store.Grants(c.Request.Context(), c.Param("login"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

func (s *Server) putGrants(c *gin.Context) {
	if !requireRole(c) {
		return
	}
	var g store.Grants
	if !bindJSON(c, &g) {
		return
	}
	if _, err := s.Store.User(c.Request.Context(), c.Param("login")); err != nil {
		s.fail(c, err)
		return
	}
	saved, err := s.Store.SetGrants(c.Request.Context(), c.Param("login"), g)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, saved)
}

// listTeams shows the teams (a user's `teams`) with their active members.
func (s *Server) listTeams(c *gin.Context) {
	teams, err := s.Store.Teams(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list[store.Team]{Items: teams})
}
