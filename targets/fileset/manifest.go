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
	"path/filepath"
	"sort"
	"strings"
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
	files := sortedFiles(m.Files)
	out := Manifest{Generator: m.Generator, SpecHash: m.SpecHash, Targets: m.Targets, Files: files}
	return appendManifest(make([]byte, 0, 512+160*len(files)), &out)
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
	data = normalizeEOL(data)
	if m, ok := parseManifestLayout(data); ok {
		wire.Generator, wire.SpecHash, wire.Targets = &m.Generator, &m.SpecHash, m.Targets
		files := make([]wireFile, len(m.Files))
		for i := range m.Files {
			f := &m.Files[i]
			files[i] = wireFile{Path: &f.Path, Target: &f.Target, SHA256: &f.SHA256}
		}
		wire.Files = &files
	} else if err := decodeJSON(data, &wire); err != nil {
		return nil, err
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

// decodeJSON decodes the manifest object in data into wire, refusing
// unknown fields and anything after the object.
func decodeJSON(data []byte, wire any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(wire); err != nil {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("invalid JSON: data after the manifest object")
	}
	return nil
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
