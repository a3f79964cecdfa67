//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package fileset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// lockWait is how long lockFile waits for another build to finish.
const lockWait = 2 * time.Minute

// lockFile takes the lock by creating name exclusively, polling while it
// exists. Where flock(2) is not available a crashed build can leave the
// file behind; after lockWait the error says how to clear it.
func lockFile(name string) (func() error, error) {
	deadline := time.Now().Add(lockWait)
	for {
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			return func() error {
				clErr := f.Close()
				return errors.Join(clErr, os.Remove(name))
			}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: another release-gen build has held this lock for %v; if none is running, delete the file", name, lockWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
