// Package updateauth signs the Updates that Conveyor's API servers send to
// process workflows, and checks the signature in the worker before any
// validator runs. The `by` of an Update is the user the API authenticated;
// without this, anyone who reaches the Temporal frontend could complete,
// cancel or hand over work as any user. Servers and workers share one key
// from configuration.
package updateauth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

// header is the Temporal header that carries the signature.
const header = "conveyor-update-auth"

// TypeUnauthenticated is the error type of a refused, unsigned Update.
const TypeUnauthenticated = "Unauthenticated"

// MinKeyBytes is the shortest key accepted: an HMAC-SHA256 key shorter
// than its output weakens it.
const MinKeyBytes = 32

// Key signs and verifies Updates.
type Key struct{ secret []byte }

// NewKey takes a key from configuration.
func NewKey(secret string) (Key, error) {
	if len(secret) < MinKeyBytes {
		return Key{}, fmt.Errorf("the update key must be at least %d bytes, got %d", MinKeyBytes, len(secret))
	}
	return Key{secret: []byte(secret)}, nil
}

// RandomKey is a fresh key, for a single process that is both the API
// server and the worker (`conveyor dev`, tests).
func RandomKey() Key {
	b := make([]byte, MinKeyBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return Key{secret: b}
}

// mac binds the signature to the workflow, the Update's name and ID, and
// its arguments, so it cannot be moved to another request.
func (k Key) mac(workflowID, name, updateID string, args []any) ([]byte, error) {
	if len(k.secret) == 0 {
		return nil, errors.New("no update key configured")
	}
	payload, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, k.secret)
	for _, part := range [][]byte{[]byte(workflowID), []byte(name), []byte(updateID), payload} {
		fmt.Fprintf(m, "%d:", len(part)) // length-prefixed: no two inputs give the same stream
		m.Write(part)
	}
	return m.Sum(nil), nil
}

func (k Key) sign(workflowID, name, updateID string, args []any) (*commonpb.Payload, error) {
	sum, err := k.mac(workflowID, name, updateID, args)
	if err != nil {
		return nil, err
	}
	return converter.GetDefaultDataConverter().ToPayload(sum)
}

func (k Key) verify(workflowID, name, updateID string, args []any, sig *commonpb.Payload) error {
	if sig == nil {
		return errors.New("the update is not signed by a Conveyor API server")
	}
	var got []byte
	if err := converter.GetDefaultDataConverter().FromPayload(sig, &got); err != nil {
		return fmt.Errorf("the update's signature is malformed: %w", err)
	}
	want, err := k.mac(workflowID, name, updateID, args)
	if err != nil {
		return err
	}
	if !hmac.Equal(got, want) {
		return errors.New("the update's signature does not match")
	}
	return nil
}
