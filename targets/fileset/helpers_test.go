package fileset

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"release-gen.dev/release-gen/targets"
)

// header is a generated-file header, as targets write it.
const header = "# " + targets.GeneratedMarker + "release.cue; DO NOT EDIT.\n"

var testSpecHash = SpecHash(map[string][]byte{"release.cue": []byte("package release\n")})

// gen returns a generated file for target with the header and body.
func gen(path, target, body string) targets.File {
	return targets.File{Path: path, Target: target, Data: []byte(header + body)}
}

// set returns a Set writing files for the named targets.
func set(root string, tgts []string, files ...targets.File) Set {
	return Set{Root: root, Files: files, Targets: tgts, Generator: "v1.0.0", SpecHash: testSpecHash}
}

// mustWrite writes s with the real filesystem.
func mustWrite(t *testing.T, s Set) *Result {
	t.Helper()
	res, err := Write(s)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return res
}

// writeFile puts data at the slash path rel under root, making directories.
func writeFile(t *testing.T, root, rel, data string) {
	t.Helper()
	name := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readFile returns the contents of rel under root.
func readFile(t *testing.T, root, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// exists reports whether rel exists under root (without following links).
func exists(t *testing.T, root, rel string) bool {
	t.Helper()
	_, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

// A node is one entry of a tree snapshot.
type node struct {
	Mode    fs.FileMode
	Data    string // file contents or link target
	ModTime time.Time
}

// snapshot records every entry under root: type, permissions, contents and,
// for files, the modification time.
func snapshot(t *testing.T, root string) map[string]node {
	t.Helper()
	nodes := make(map[string]node)
	err := filepath.WalkDir(root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, name)
		info, err := d.Info()
		if err != nil {
			return err
		}
		n := node{Mode: info.Mode()}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			n.Data, err = os.Readlink(name)
		case info.Mode().IsRegular():
			var data []byte
			data, err = os.ReadFile(name)
			n.Data, n.ModTime = string(data), info.ModTime()
		}
		nodes[filepath.ToSlash(rel)] = n
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

// leftovers returns temporary files, backups and locks under root.
func leftovers(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	for rel := range snapshot(t, root) {
		base := rel[strings.LastIndex(rel, "/")+1:]
		if strings.HasSuffix(base, ".tmp") || rel == lockPath || strings.Contains(rel, "/txn-") {
			out = append(out, rel)
		}
	}
	return out
}

// faultFS is the real filesystem, except that it counts mutating calls
// and fails those fail picks.
type faultFS struct {
	osFS
	mu    sync.Mutex
	calls []string // "op name" of every mutating call, in order
	fail  func(n int, op, name string) error
}

// call records a mutating call and says whether it fails.
func (f *faultFS) call(op, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.calls)
	f.calls = append(f.calls, op+" "+name)
	if f.fail == nil {
		return nil
	}
	return f.fail(n, op, name)
}

func (f *faultFS) Mkdir(name string, perm fs.FileMode) error {
	if err := f.call("mkdir", name); err != nil {
		return &fs.PathError{Op: "mkdir", Path: name, Err: err}
	}
	return f.osFS.Mkdir(name, perm)
}

func (f *faultFS) MkdirTemp(dir, pattern string) (string, error) {
	if err := f.call("mkdirtemp", dir); err != nil {
		return "", &fs.PathError{Op: "mkdirtemp", Path: dir, Err: err}
	}
	return f.osFS.MkdirTemp(dir, pattern)
}

func (f *faultFS) CreateTemp(dir, pattern string, perm fs.FileMode) (tempFile, error) {
	if err := f.call("createtemp", dir); err != nil {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	tf, err := f.osFS.CreateTemp(dir, pattern, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{tempFile: tf, fs: f}, nil
}

func (f *faultFS) Create(name string, perm fs.FileMode) (tempFile, error) {
	if err := f.call("create", name); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	tf, err := f.osFS.Create(name, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{tempFile: tf, fs: f}, nil
}

func (f *faultFS) Rename(oldpath, newpath string) error {
	if err := f.call("rename", newpath); err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return f.osFS.Rename(oldpath, newpath)
}

func (f *faultFS) Remove(name string) error {
	if err := f.call("remove", name); err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	return f.osFS.Remove(name)
}

func (f *faultFS) Link(oldname, newname string) error {
	if err := f.call("link", oldname); err != nil {
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: err}
	}
	return f.osFS.Link(oldname, newname)
}

func (f *faultFS) SyncFiles(root string, names []string) error {
	if err := f.call("syncfiles", root); err != nil {
		return &fs.PathError{Op: "sync", Path: root, Err: err}
	}
	return f.osFS.SyncFiles(root, names)
}

// faultFile fails writes, syncs and closes as its faultFS says.
type faultFile struct {
	tempFile
	fs *faultFS
}

func (f *faultFile) Write(p []byte) (int, error) {
	if err := f.fs.call("write", f.Name()); err != nil {
		return 0, &fs.PathError{Op: "write", Path: f.Name(), Err: err}
	}
	return f.tempFile.Write(p)
}

func (f *faultFile) Sync() error {
	if err := f.fs.call("sync", f.Name()); err != nil {
		return &fs.PathError{Op: "sync", Path: f.Name(), Err: err}
	}
	return f.tempFile.Sync()
}
