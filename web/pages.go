package web

import (
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
)

// Pages adds the UI to the API's router over the API's services, so that
// both sign in under the same limits, showing times in loc (nil: UTC). It
// is what server.Server.Pages takes: the API itself knows nothing of the
// UI.
func Pages(log *slog.Logger, loc *time.Location) func(*gin.Engine, *services.Services) {
	return func(r *gin.Engine, svc *services.Services) {
		(&UI{Services: svc, Log: log, Location: loc}).Register(r)
	}
}
