package web

import (
	"encoding/json"
	"net/url"

	"github.com/conveyorhq/conveyor/services"
)

// listPaths is the page of each list a view is shown on.
var listPaths = map[string]string{
	services.ListWorkItems: "/work",
	services.ListProcesses: "/processes",
	services.ListClients:   "/clients",
}

// viewLink is the page showing spec over list without saving it: a chart's
// number links to the rows behind it this way.
func viewLink(list string, spec services.ViewSpec) string {
	raw, _ := json.Marshal(spec)
	return listPaths[list] + "?spec=" + url.QueryEscape(string(raw))
}
