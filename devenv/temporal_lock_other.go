//go:build !unix

package devenv

import "errors"

type dirLock struct{}

func acquireDirLock(string) (*dirLock, error) {
	return nil, errors.New("devenv: the embedded Temporal server needs flock(2) and is only supported on unix")
}

func (*dirLock) release() error { return nil }
