package fileset

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// A Manifest records what release-gen wrote into an output tree. It is
// stored, and committed, as .release-gen/manifest.json.
type Manifest struct {
	// Generator is the version of release-gen that wrote the files.
	Generator string `json:"generator"`
	// SpecHash is SpecHash of the spec inputs of the build that wrote the
	// manifest last.
	SpecHash string `json:"specHash"`
	// Targets maps each target to the SpecHash of the build that last
	// wrote its files: every build records the targets it wrote, and keeps
	// the entries of the others. After `build --target X` the other
	// targets' files may come from an older spec, and a target that was
	// never built has no entry. Manifests of older release-gen versions
	// have none.
	Targets map[string]string `json:"targets,omitempty"`
	// Files is sorted by path.
	Files []ManifestFile `json:"files"`
}

// A ManifestFile is one generated file in a Manifest.
type ManifestFile struct {
	// Path is slash-separated and relative to the output root.
	Path string `json:"path"`
	// Target is the name of the target that rendered the file.
	Target string `json:"target"`
	// SHA256 is the hex SHA-256 of the file's contents as written, with LF
	// line endings.
	SHA256 string `json:"sha256"`
}

// A ManifestError reports a manifest that cannot be trusted: not valid
// JSON, not of the expected shape, or naming paths outside the output
// root. release-gen never acts on such a manifest.
type ManifestError struct {
	// Path is the manifest's file name.
	Path string
	// Err says what is wrong with it.
	Err error
}

// Error names the manifest, says what is wrong and how to fix it.
func (e *ManifestError) Error() string {
	return fmt.Sprintf("%s: corrupt manifest: %v; run `release-gen build --force` to rebuild it", e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *ManifestError) Unwrap() error { return e.Err }

// EncodeManifest returns m as written to disk: JSON indented by two
// spaces, files sorted by path, ending in a newline. Equal manifests encode
// to identical bytes.
func EncodeManifest(m *Manifest) []byte {
	files := append([]ManifestFile{}, m.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	out := Manifest{Generator: m.Generator, SpecHash: m.SpecHash, Targets: m.Targets, Files: files}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		// Unreachable: the value holds only strings.
		panic(err)
	}
	return buf.Bytes()
}

// ReadManifest reads the manifest of the output tree at root. It returns
// nil and no error when there is none, and a *ManifestError when the file
// exists but cannot be trusted.
func ReadManifest(root string) (*Manifest, error) {
	m, _, err := readManifest(osFS{}, root)
	return m, err
}

// readManifest is ReadManifest on fsys; it also returns the file's bytes.
func readManifest(fsys fileSystem, root string) (*Manifest, []byte, error) {
	name := filepath.Join(root, filepath.FromSlash(ManifestPath))
	corrupt := func(format string, args ...any) error {
		return &ManifestError{Path: name, Err: fmt.Errorf(format, args...)}
	}
	for _, p := range []string{stateDir, ManifestPath} {
		info, err := fsys.Lstat(filepath.Join(root, filepath.FromSlash(p)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil, nil
		case err != nil:
			return nil, nil, err
		case info.Mode()&fs.ModeSymlink != 0:
			return nil, nil, corrupt("%s is a symbolic link", p)
		case p == stateDir && !info.IsDir():
			return nil, nil, corrupt("%s is not a directory", p)
		case p == ManifestPath && !info.Mode().IsRegular():
			return nil, nil, corrupt("%s is not a regular file", p)
		}
	}
	data, err := fsys.ReadFile(name)
	if err != nil {
		return nil, nil, err
	}
	m, err := decodeManifest(data)
	if err != nil {
		return nil, data, &ManifestError{Path: name, Err: err}
	}
	return m, data, nil
}

// decodeManifest parses and validates a manifest. Every field is required
// and unknown fields are errors, so that a manifest from an incompatible
// release-gen is not half understood.
func decodeManifest(data []byte) (*Manifest, error) {
	type wireFile struct {
		Path   *string `json:"path"`
		Target *string `json:"target"`
		SHA256 *string `json:"sha256"`
	}
	var wire struct {
		Generator *string           `json:"generator"`
		SpecHash  *string           `json:"specHash"`
		Targets   map[string]string `json:"targets"`
		Files     *[]wireFile       `json:"files"`
	}
	dec := json.NewDecoder(bytes.NewReader(normalizeEOL(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wire); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: data after the manifest object")
	}
	switch {
	case wire.Generator == nil || *wire.Generator == "":
		return nil, errors.New(`missing "generator"`)
	case wire.SpecHash == nil:
		return nil, errors.New(`missing "specHash"`)
	case !validSpecHash(*wire.SpecHash):
		return nil, fmt.Errorf(`"specHash" %q is not of the form sha256:<64 hex digits>`, *wire.SpecHash)
	case wire.Files == nil:
		return nil, errors.New(`missing "files"`)
	}
	for name, hash := range wire.Targets {
		switch {
		case name == "":
			return nil, errors.New(`"targets": empty target name`)
		case !validSpecHash(hash):
			return nil, fmt.Errorf(`"targets": %s: %q is not of the form sha256:<64 hex digits>`, name, hash)
		}
	}
	m := &Manifest{Generator: *wire.Generator, SpecHash: *wire.SpecHash, Files: []ManifestFile{}}
	if len(wire.Targets) > 0 {
		m.Targets = wire.Targets
	}
	seen := make(map[string]bool)
	for i, f := range *wire.Files {
		switch {
		case f.Path == nil:
			return nil, fmt.Errorf(`files[%d]: missing "path"`, i)
		case f.Target == nil || *f.Target == "":
			return nil, fmt.Errorf(`files[%d]: missing "target"`, i)
		case f.SHA256 == nil:
			return nil, fmt.Errorf(`files[%d]: missing "sha256"`, i)
		}
		if reason := checkPath(*f.Path); reason != "" {
			return nil, fmt.Errorf("files[%d]: path %q %s", i, *f.Path, reason)
		}
		if seen[*f.Path] {
			return nil, fmt.Errorf("files[%d]: path %q is listed twice", i, *f.Path)
		}
		seen[*f.Path] = true
		if !validHex256(*f.SHA256) {
			return nil, fmt.Errorf("files[%d]: sha256 %q of %s is not 64 lowercase hex digits", i, *f.SHA256, *f.Path)
		}
		m.Files = append(m.Files, ManifestFile{Path: *f.Path, Target: *f.Target, SHA256: *f.SHA256})
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	return m, nil
}

// validHex256 reports whether s is a SHA-256 sum in lowercase hex.
func validHex256(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validSpecHash reports whether s has the form SpecHash returns.
func validSpecHash(s string) bool {
	digits, ok := strings.CutPrefix(s, "sha256:")
	return ok && validHex256(digits)
}

// sum returns the hex SHA-256 of data.
func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// SpecHash returns "sha256:" and the hex SHA-256 of the spec input files,
// keyed by name. Names should be slash-separated and relative to the spec
// directory, so the hash does not depend on where the repository is
// checked out. Contents are hashed with CRLF line endings turned into LF,
// so a CRLF checkout hashes the same.
//
// The hash covers, for each file in name order, the name's length as a
// big-endian uint64, the name, the content's length the same way, and the
// content.
func SpecHash(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	var n [8]byte
	for _, name := range names {
		data := normalizeEOL(files[name])
		binary.BigEndian.PutUint64(n[:], uint64(len(name)))
		h.Write(n[:])
		io.WriteString(h, name)
		binary.BigEndian.PutUint64(n[:], uint64(len(data)))
		h.Write(n[:])
		h.Write(data)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

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
func Current(root, generator, specHash string, targets []string) bool {
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
	attrs, err := readPlain(filepath.Join(root, AttributesPath))
	if err != nil || !bytes.Equal(normalizeEOL(attrs), normalizeEOL(mergeAttributes(attrs, paths))) {
		return false
	}
	return filesMatch(root, m.Files)
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
// The files are read and hashed in parallel: a large spec has thousands.
func filesMatch(root string, files []ManifestFile) bool {
	workers := min(runtime.GOMAXPROCS(0), len(files))
	var (
		next atomic.Int64
		bad  atomic.Bool
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !bad.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				got, err := hashPlain(filepath.Join(root, filepath.FromSlash(files[i].Path)))
				if err != nil || got != files[i].SHA256 {
					bad.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	return !bad.Load()
}

// hashPlain returns the hex SHA-256 of the regular file name with CRLF
// line endings read as LF, as sum(normalizeEOL(contents)) would, reading
// it in pieces: outputs can be tens of megabytes.
func hashPlain(name string) (string, error) {
	info, err := os.Lstat(name)
	if err != nil {
		return "", err
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return "", err
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
			return "", err
		}
	}
	if cr {
		h.Write([]byte{'\r'})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
