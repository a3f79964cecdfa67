package fileset

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestReadWhole compares readWhole with os.ReadFile on files of several
// sizes, and checks it reports a missing file as missing.
func TestReadWhole(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 4095, 4096, 4097, 1 << 20} {
		name := filepath.Join(dir, "f")
		want := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		if err := os.WriteFile(name, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readWhole(name)
		if err != nil || !bytes.Equal(got, want) || got == nil {
			t.Errorf("size %d: read %d bytes, %v", size, len(got), err)
		}
	}
	if _, err := readWhole(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// recordingFile is a tempFile that keeps what is written to it and the
// size of each Write call, and can fail the Write call numbered failAt
// (from 1).
type recordingFile struct {
	data   []byte
	writes []int
	failAt int
	closed bool
}

func (f *recordingFile) Name() string                 { return "recorded" }
func (f *recordingFile) Sync() error                  { return nil }
func (f *recordingFile) Chmod(mode fs.FileMode) error { return nil }
func (f *recordingFile) Close() error                 { f.closed = true; return nil }

func (f *recordingFile) Write(p []byte) (int, error) {
	f.writes = append(f.writes, len(p))
	if len(f.writes) == f.failAt {
		return 0, errors.New("disk full")
	}
	f.data = append(f.data, p...)
	return len(p), nil
}

// TestWriteInPieces checks that writeAndClose writes all of data, in
// order, in calls of at most writePiece bytes, and stops at the first
// failed call.
func TestWriteInPieces(t *testing.T) {
	for _, size := range []int{0, 1, writePiece - 1, writePiece, writePiece + 1, 3*writePiece + 17} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i * 7 / 3)
		}
		f := &recordingFile{}
		if err := writeAndClose(f, data, 0o644, false); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.data, data) || !f.closed {
			t.Errorf("size %d: wrote %d bytes (closed %v); want the data and a closed file", size, len(f.data), f.closed)
		}
		if want := (size + writePiece - 1) / writePiece; len(f.writes) != want {
			t.Errorf("size %d: %d writes %v; want %d", size, len(f.writes), f.writes, want)
		}
		for _, n := range f.writes {
			if n > writePiece || n == 0 {
				t.Errorf("size %d: a write of %d bytes; want 1 to %d", size, n, writePiece)
			}
		}
	}
	f := &recordingFile{failAt: 2}
	err := writeAndClose(f, make([]byte, 3*writePiece), 0o644, false)
	if err == nil || len(f.writes) != 2 || !f.closed {
		t.Errorf("failing second write: err %v after %d writes (closed %v); want the error after 2, closed", err, len(f.writes), f.closed)
	}
}
