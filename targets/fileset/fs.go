package fileset

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

// fileSystem is the set of filesystem operations Write and Check use. The
// real one is osFS; tests substitute one that fails on chosen calls to
// prove that a failed Write leaves the tree as it was.
type fileSystem interface {
	Lstat(name string) (fs.FileInfo, error)
	ReadFile(name string) ([]byte, error)
	Mkdir(name string, perm fs.FileMode) error
	MkdirAll(name string, perm fs.FileMode) error
	MkdirTemp(dir, pattern string) (string, error)
	// CreateTemp and Create create a file with mode perm, less what the
	// umask or a default ACL takes away: tempFile.Chmod sets it exactly.
	CreateTemp(dir, pattern string, perm fs.FileMode) (tempFile, error)
	// Create creates the file name, which must not exist yet.
	Create(name string, perm fs.FileMode) (tempFile, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
	// RemoveAll removes name and anything under it.
	RemoveAll(name string) error
	ReadDir(name string) ([]fs.DirEntry, error)
	Link(oldname, newname string) error
	// Lock takes an exclusive lock named by the file name, waiting for
	// other holders, and returns the function that releases it.
	Lock(name string) (unlock func() error, err error)
	// SyncFiles makes the named files, which are on the filesystem holding
	// root and were closed without syncing, durable on disk.
	SyncFiles(root string, names []string) error
}

// tempFile is the part of *os.File used to write a file before renaming
// it into place.
type tempFile interface {
	Name() string
	Write(p []byte) (int, error)
	Sync() error
	Chmod(mode fs.FileMode) error
	Close() error
}

// osFS is the operating system's filesystem.
type osFS struct{}

func (osFS) Lstat(name string) (fs.FileInfo, error)        { return os.Lstat(name) }
func (osFS) ReadFile(name string) ([]byte, error)          { return readWhole(name) }
func (osFS) Mkdir(name string, perm fs.FileMode) error     { return os.Mkdir(name, perm) }
func (osFS) MkdirAll(name string, perm fs.FileMode) error  { return os.MkdirAll(name, perm) }
func (osFS) MkdirTemp(dir, pattern string) (string, error) { return os.MkdirTemp(dir, pattern) }
func (osFS) Rename(oldpath, newpath string) error          { return rename(oldpath, newpath) }
func (osFS) Remove(name string) error                      { return os.Remove(name) }
func (osFS) RemoveAll(name string) error                   { return os.RemoveAll(name) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error)    { return os.ReadDir(name) }
func (osFS) Link(oldname, newname string) error            { return os.Link(oldname, newname) }
func (osFS) Lock(name string) (func() error, error)        { return lockFile(name) }
func (osFS) SyncFiles(root string, names []string) error   { return syncFiles(root, names) }

func (osFS) CreateTemp(dir, pattern string, perm fs.FileMode) (tempFile, error) {
	return createTemp(dir, pattern, perm)
}
func (osFS) Create(name string, perm fs.FileMode) (tempFile, error) { return createNew(name, perm) }

// randomName is pattern with its last "*" replaced by a random number, as
// os.CreateTemp and os.MkdirTemp name what they create.
func randomName(pattern string) string {
	prefix, suffix := pattern, ""
	if i := strings.LastIndexByte(pattern, '*'); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	return prefix + strconv.FormatUint(uint64(rand.Uint32()), 10) + suffix
}

// syncEach syncs the named files one by one: an fsync each.
func syncEach(names []string) error {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("sync %s: %w", name, err)
		}
	}
	return nil
}
