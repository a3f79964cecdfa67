//go:build unix

package fileset

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// createTemp creates a new file in dir named by pattern, whose last "*"
// is replaced by a random number, as os.CreateTemp does, with mode perm
// less the umask. The file is a
// bare descriptor: an *os.File costs five more system calls to register a
// regular file with the network poller, which is most of the cost of
// creating a small file once there are thousands.
func createTemp(dir, pattern string, perm fs.FileMode) (tempFile, error) {
	for try := 0; ; try++ {
		f, err := createNew(filepath.Join(dir, randomName(pattern)), perm)
		if err == nil || !errors.Is(err, fs.ErrExist) || try == 10000 {
			if err != nil {
				return nil, &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, pattern), Err: errors.Unwrap(err)}
			}
			return f, nil
		}
	}
}

// createNew creates the file name, which must not exist, as a bare
// descriptor (see createTemp) with mode perm less the umask.
func createNew(name string, perm fs.FileMode) (tempFile, error) {
	fd, err := unix.Open(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, uint32(perm.Perm()))
	for err == unix.EINTR {
		fd, err = unix.Open(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, uint32(perm.Perm()))
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &rawFile{fd: fd, name: name, created: perm.Perm()}, nil
}

// rename renames with one rename(2). os.Rename first stats newpath to
// refuse a directory there; rename(2) refuses a file over a directory and
// a directory over one that is not empty, and replaces an empty one,
// which is all the difference for what Write renames: staged files, and
// directories it built where its plan found nothing.
func rename(oldpath, newpath string) error {
	err := unix.Rename(oldpath, newpath)
	for err == unix.EINTR {
		err = unix.Rename(oldpath, newpath)
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return nil
}

// rawFile is a file open for writing by its descriptor alone.
type rawFile struct {
	fd   int
	name string
	// created is the mode the file was created with, before the umask.
	created fs.FileMode
}

func (f *rawFile) Name() string { return f.name }

func (f *rawFile) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := unix.Write(f.fd, p[written:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return written, f.pathError("write", err)
		}
		if n == 0 {
			return written, f.pathError("write", errors.New("no progress"))
		}
		written += n
	}
	return written, nil
}

func (f *rawFile) Sync() error {
	return f.retry("sync", func() error { return unix.Fsync(f.fd) })
}

// Chmod sets the file's mode. When that is the mode the file was created
// with and the umask (or a default ACL) took nothing away, as is usual,
// the mode is already right: an fstat tells, and costs far less than the
// fchmod, which on ext4 writes the inode to the journal.
func (f *rawFile) Chmod(mode fs.FileMode) error {
	if mode.Perm() == f.created {
		var st unix.Stat_t
		if f.retry("stat", func() error { return unix.Fstat(f.fd, &st) }) == nil && fs.FileMode(st.Mode).Perm() == mode.Perm() {
			return nil
		}
	}
	return f.retry("chmod", func() error { return unix.Fchmod(f.fd, uint32(mode.Perm())) })
}

// Close closes the descriptor. It is not retried on EINTR: on Linux the
// descriptor is released even then, and a retry could close another.
func (f *rawFile) Close() error {
	if err := unix.Close(f.fd); err != nil {
		return f.pathError("close", err)
	}
	return nil
}

func (f *rawFile) retry(op string, call func() error) error {
	err := call()
	for err == unix.EINTR {
		err = call()
	}
	if err != nil {
		return f.pathError(op, err)
	}
	return nil
}

func (f *rawFile) pathError(op string, err error) error {
	return &fs.PathError{Op: op, Path: f.name, Err: err}
}

// readWhole reads the file name whole, through a bare descriptor (see
// createTemp).
func readWhole(name string) ([]byte, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	for err == unix.EINTR {
		fd, err = unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	// One byte more than the size, so that a file that has not grown
	// meanwhile is read to its end in one call.
	data := make([]byte, 0, max(st.Size, 0)+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := unix.Read(fd, data[len(data):cap(data)])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		case n == 0:
			return data, nil
		}
		data = data[:len(data)+n]
	}
}
