package fileset

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// syncFiles flushes the whole filesystem holding root with one syncfs(2),
// which costs about what a single fsync does however many files a build
// wrote. Where syncfs is refused, each file is synced on its own.
func syncFiles(root string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	if len(names) == 1 {
		return syncEach(names)
	}
	d, err := os.Open(root)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := unix.Syncfs(int(d.Fd())); err != nil {
		if err == unix.ENOSYS || err == unix.EPERM {
			return syncEach(names)
		}
		return fmt.Errorf("sync the filesystem of %s: %w", root, err)
	}
	return nil
}
