//go:build linux || darwin

package fileset

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// stampsSupported reports whether lstamp and fstamp return file statuses
// a hashCache can trust.
const stampsSupported = true

// lstamp returns the status of the regular file name, not following a
// symbolic link; anything but a regular file is an error.
func lstamp(name string) (fileStamp, error) {
	var st unix.Stat_t
	if err := unix.Lstat(name, &st); err != nil {
		return fileStamp{}, &os.PathError{Op: "lstat", Path: name, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fileStamp{}, fmt.Errorf("%s is not a regular file", name)
	}
	return stampOf(&st), nil
}

// fstamp returns the status of the open file f.
func fstamp(f *os.File) (fileStamp, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return fileStamp{}, &os.PathError{Op: "fstat", Path: f.Name(), Err: err}
	}
	return stampOf(&st), nil
}

func stampOf(st *unix.Stat_t) fileStamp {
	return fileStamp{
		size:  st.Size,
		mtime: st.Mtim.Nano(),
		ctime: st.Ctim.Nano(),
		ino:   uint64(st.Ino),
		dev:   uint64(st.Dev),
	}
}
