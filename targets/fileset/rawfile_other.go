//go:build !unix

package fileset

import (
	"io/fs"
	"os"
)

// createTemp creates a new file in dir named by pattern, as
// os.CreateTemp does, with mode 0600 whatever perm asks: the caller's
// Chmod sets it.
func createTemp(dir, pattern string, perm fs.FileMode) (tempFile, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		// Return a nil interface, not a typed nil *os.File.
		return nil, err
	}
	return f, nil
}

// createNew creates the file name, which must not exist, with mode perm
// less the umask.
func createNew(name string, perm fs.FileMode) (tempFile, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// rename is os.Rename.
func rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// readWhole is os.ReadFile.
func readWhole(name string) ([]byte, error) { return os.ReadFile(name) }
