//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package fileset

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock(2) lock on name, creating the file,
// and waits while another process or goroutine holds it. The lock is
// released when the holder's process exits, so a crashed build never
// leaves a stale lock behind.
//
// Unlock removes the file while still holding the lock. A waiter that had
// opened the old file notices after it gets the lock that the file at name
// is no longer the one it locked, and starts again.
func lockFile(name string) (func() error, error) {
	for {
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o644)
		if err != nil {
			return nil, err
		}
		if err := flock(f, syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, &fs.PathError{Op: "flock", Path: name, Err: err}
		}
		held, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		now, err := os.Lstat(name)
		if err == nil && os.SameFile(held, now) {
			return func() error {
				rmErr := os.Remove(name)
				return errors.Join(rmErr, f.Close())
			}, nil
		}
		f.Close()
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
}

// flock calls flock(2), retrying when a signal interrupts the wait.
func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}
