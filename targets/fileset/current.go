package fileset

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Current reports whether the output tree at root is, without a doubt,
// what a build of every target in targets by generator from spec inputs
// hashing to specHash writes, so that Check of that build would find no
// drift and the spec need not be compiled to know it. That holds when:
//
//   - the manifest was written by generator, for specHash, and every one
//     of targets was last built from specHash (so no file can come from an
//     older spec, and no target's files can be missing from it), and it
//     lists no file of another target;
//   - the manifest on disk is byte for byte how this release-gen encodes it;
//   - every file it lists is a regular file, under no symbolic link, whose
//     contents (with CRLF line endings read as LF) have the recorded sha256;
//   - .gitattributes holds release-gen's block listing exactly those files.
//     Without the block Current cannot tell whether the spec wants one, so
//     it answers false.
//
// Current answers false when any of these fails or cannot be read; Check
// then tells what is wrong.
//
// cacheDir, when not empty, is a directory where Current keeps what it
// verified (see outputCache), so that when neither the manifest, nor
// .gitattributes, nor any output changed since an earlier call with the
// same arguments, Current answers from the files' status without reading
// them, and reads only the files that changed otherwise.
func Current(root, generator, specHash string, targets []string, cacheDir string) bool {
	return current(root, generator, specHash, targets, cacheDir, time.Now())
}

// current is Current beginning at start, which tells which file statuses
// are settled.
func current(root, generator, specHash string, targets []string, cacheDir string, start time.Time) bool {
	cache := openOutputCache(cacheDir, root, generator, specHash, targets)
	if cache.unchanged(root) {
		return true
	}
	manifestName := filepath.Join(root, filepath.FromSlash(ManifestPath))
	attrsName := filepath.Join(root, AttributesPath)
	manifestStamp, err := lstamp(manifestName)
	if err != nil {
		return false
	}
	attrsStamp, err := lstamp(attrsName)
	if err != nil {
		return false
	}
	m, data, err := readManifest(osFS{}, root)
	if err != nil || m == nil || m.Generator != generator || m.SpecHash != specHash || len(m.Targets) == 0 {
		return false
	}
	selected := make(map[string]bool, len(targets))
	for _, t := range targets {
		if m.Targets[t] != specHash {
			return false
		}
		selected[t] = true
	}
	paths := make([]string, len(m.Files))
	for i, f := range m.Files {
		if !selected[f.Target] {
			return false
		}
		paths[i] = f.Path
	}
	if !bytes.Equal(normalizeEOL(data), EncodeManifest(m)) {
		return false
	}
	if !dirsPlain(root, paths) {
		return false
	}
	attrs, err := readPlain(attrsName)
	if err != nil || !bytes.Equal(normalizeEOL(attrs), normalizeEOL(mergeAttributes(attrs, paths))) {
		return false
	}
	if !filesMatch(root, m.Files, cache, start) {
		return false
	}
	if stillSettled(manifestName, manifestStamp, start) && stillSettled(attrsName, attrsStamp, start) {
		cache.save(manifestStamp, attrsStamp)
	} else {
		cache.save(fileStamp{}, fileStamp{})
	}
	return true
}

// stillSettled reports whether the file name still has the status before,
// which was settled (see fileStamp.settled) at start.
func stillSettled(name string, before fileStamp, start time.Time) bool {
	after, err := lstamp(name)
	return err == nil && after == before && before.settled(start)
}

// dirsPlain reports whether every directory above the slash-separated
// paths, relative to root, is a directory and not a symbolic link.
func dirsPlain(root string, paths []string) bool {
	seen := make(map[string]bool)
	for _, p := range paths {
		for _, d := range ancestors(p) {
			if seen[d] {
				continue
			}
			seen[d] = true
			info, err := osFS{}.Lstat(filepath.Join(root, filepath.FromSlash(d)))
			if err != nil || !info.IsDir() {
				return false
			}
		}
	}
	return true
}

// readPlain reads the regular file name; anything else standing there,
// a symbolic link included, is an error.
func readPlain(name string) ([]byte, error) {
	info, err := osFS{}.Lstat(name)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	return osFS{}.ReadFile(name)
}

// filesMatch reports whether every file holds what the manifest recorded.
// The files are read and hashed in parallel, a large spec has thousands,
// except those whose status shows cache remembers them unchanged. start
// is when Current began.
func filesMatch(root string, files []ManifestFile, cache *outputCache, start time.Time) bool {
	cache.expect(len(files))
	return allHold(len(files), func(i int) bool {
		return fileMatches(root, i, files[i], cache, start)
	})
}

// fileMatches reports whether f, the i-th file of the manifest, is a
// regular file under root holding what the manifest recorded, and records
// its hash in cache (see outputCache).
func fileMatches(root string, i int, f ManifestFile, cache *outputCache, start time.Time) bool {
	name := filepath.Join(root, filepath.FromSlash(f.Path))
	before, err := lstamp(name)
	if err != nil {
		return false
	}
	if sum, ok := cache.lookup(f.Path, before); ok {
		cache.record(i, f.Path, before, sum)
		return sum == f.SHA256
	}
	sum, after, err := hashPlain(name)
	if err != nil || after != before {
		// Gone, or changed or replaced while it was read: Check tells.
		return false
	}
	if before.settled(start) {
		cache.record(i, f.Path, before, sum)
	}
	return sum == f.SHA256
}

// hashPlain returns the hex SHA-256 of the file name with CRLF line
// endings read as LF, as sum(normalizeEOL(contents)) would, and the
// file's status once read; the caller compares that status with the one
// lstamp gave before, which tells, where statuses are available, that
// name is still the regular file it checked. It reads the file in pieces: outputs can be tens of megabytes.
func hashPlain(name string) (string, fileStamp, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", fileStamp{}, err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 64<<10)
	cr := false // the previous piece ended in a held-back CR
	for {
		n, err := f.Read(buf)
		chunk := buf[:n]
		if n > 0 {
			if cr {
				if chunk[0] != '\n' {
					h.Write([]byte{'\r'})
				}
				cr = false
			}
			if chunk[len(chunk)-1] == '\r' {
				cr, chunk = true, chunk[:len(chunk)-1]
			}
			h.Write(normalizeEOL(chunk))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fileStamp{}, err
		}
	}
	if cr {
		h.Write([]byte{'\r'})
	}
	stamp, err := fstamp(f)
	if err != nil {
		return "", fileStamp{}, err
	}
	return hex.EncodeToString(h.Sum(nil)), stamp, nil
}

// StateCurrent reports whether .release-gen holds the files Write keeps
// there besides the manifest as Write writes them: with Current, that a
// build would change nothing.
func StateCurrent(root string) bool {
	data, err := readPlain(filepath.Join(root, filepath.FromSlash(gitignorePath)))
	return err == nil && string(data) == gitignoreContent
}
