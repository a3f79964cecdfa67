//go:build !(linux || darwin)

package fileset

import (
	"fmt"
	"os"
)

// stampsSupported reports whether lstamp and fstamp return file statuses
// a hashCache can trust: here they do not, since the change time (ctime)
// is not available, so every output is hashed.
const stampsSupported = false

// lstamp checks that name is a regular file, not following a symbolic
// link. The status it returns is empty.
func lstamp(name string) (fileStamp, error) {
	info, err := os.Lstat(name)
	if err != nil {
		return fileStamp{}, err
	}
	if !info.Mode().IsRegular() {
		return fileStamp{}, fmt.Errorf("%s is not a regular file", name)
	}
	return fileStamp{}, nil
}

// fstamp returns an empty status.
func fstamp(*os.File) (fileStamp, error) {
	return fileStamp{}, nil
}
