// Package examples ships the example conveyor definitions inside the binary,
// for the demo that `conveyor dev` seeds.
package examples

import _ "embed"

// SalesConveyor is the three-manager conveyor: cold call -> deal -> service.
//
//go:embed sales-conveyor.yaml
var SalesConveyor []byte
