package fileset

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The fast path of `check` (Current) reads the manifest and compares every
// output file with the hash it records, and a spec with a thousand
// services has tens of megabytes of outputs. An outputCache remembers,
// per output tree, what Current last verified there, as git's index does
// for a work tree: each output's hash together with the file's status
// (size, modification and change times, inode and device) when it was
// hashed, and the status of the manifest and of .gitattributes. A file
// whose status is unchanged is trusted to hold what it held; when the
// manifest, .gitattributes and every output are unchanged, and Current is
// asked the same question, the answer is the same, without reading a
// file.
//
// Any write to a file changes its change time (ctime), which no system
// call can set back, so an edited file, even one whose size and
// modification time were restored, has a new status. A status is recorded
// only when it was the same before and after the file was read and both
// of its times lie more than settleTime before Current began, so that a
// file written in the same timestamp tick as it was read (filesystems
// with whole-second or two-second timestamps) is read again next time
// rather than trusted.
//
// The cache lives outside the repository, in the user's cache directory,
// like Go's build cache, and is written atomically; losing it only costs
// reading the files again.

// settleTime is how long ago a file must have last changed for its status
// to be recorded: longer than the coarsest timestamp granularity of common
// filesystems (two seconds on FAT).
const settleTime = 2 * time.Second

// outputCacheHeader is the first line of a cache file; a file with another
// first line is ignored and replaced.
const outputCacheHeader = "release-gen verified outputs v1"

// A fileStamp is the part of a file's status that changes whenever the
// file is written, replaced, moved or touched. The zero fileStamp stands
// for no status.
type fileStamp struct {
	size, mtime, ctime int64 // times in nanoseconds since the epoch
	ino, dev           uint64
}

// settled reports whether the file last changed more than settleTime
// before start.
func (s fileStamp) settled(start time.Time) bool {
	limit := start.Add(-settleTime).UnixNano()
	return s.mtime < limit && s.ctime < limit
}

// A cacheEntry is an output's path, its status and its content hash.
type cacheEntry struct {
	path  string
	stamp fileStamp
	sum   string
}

// An outputCache is what Current verified in one output tree, read from
// and saved to one file of the cache directory. The nil *outputCache
// remembers nothing.
type outputCache struct {
	file string // where the cache is stored
	key  string // Current's arguments and the tree; see currentKey

	// What the file holds. manifest and attributes are zero unless the
	// file records a complete verification for key.
	manifest, attributes fileStamp
	entries              []cacheEntry // in manifest order

	// byPath indexes entries by path for lookup, built once on first use.
	byPath    map[string]int
	indexOnce sync.Once

	// next holds what this run recorded, by index in the manifest; an
	// entry with an empty path was not recorded.
	next []cacheEntry
}

// currentKey identifies a question Current answers: the tree at root, and
// its arguments.
func currentKey(root, generator, specHash string, targets []string) string {
	h := sha256.New()
	var n [8]byte
	for _, s := range append([]string{root, generator, specHash}, slices.Sorted(slices.Values(targets))...) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// openOutputCache reads the cache of the output tree at root from dir, for
// a Current with the given arguments. It returns nil, which caches
// nothing, when dir is empty, file statuses are not available or root
// cannot be made absolute; a missing or unreadable cache file is empty.
func openOutputCache(dir, root, generator, specHash string, targets []string) *outputCache {
	if dir == "" || !stampsSupported {
		return nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil
	}
	name := sha256.Sum256([]byte(abs))
	c := &outputCache{
		file: filepath.Join(dir, "outputs-"+hex.EncodeToString(name[:16])),
		key:  currentKey(abs, generator, specHash, targets),
	}
	if data, err := os.ReadFile(c.file); err == nil {
		c.parse(data)
	}
	return c
}

// unchanged reports whether the cache records a complete verification of
// the same question and the manifest, .gitattributes and every output
// still have the status they had then, under directories that are not
// symbolic links.
func (c *outputCache) unchanged(root string) bool {
	if c == nil || c.manifest == (fileStamp{}) {
		return false
	}
	for name, want := range map[string]fileStamp{ManifestPath: c.manifest, AttributesPath: c.attributes} {
		if got, err := lstamp(filepath.Join(root, filepath.FromSlash(name))); err != nil || got != want {
			return false
		}
	}
	paths := make([]string, len(c.entries))
	for i, e := range c.entries {
		paths[i] = e.path
	}
	if !dirsPlain(root, paths) {
		return false
	}
	return allHold(len(c.entries), func(i int) bool {
		e := c.entries[i]
		got, err := lstamp(filepath.Join(root, filepath.FromSlash(e.path)))
		return err == nil && got == e.stamp
	})
}

// lookup returns the recorded hash of the output at path if its status is
// still stamp.
func (c *outputCache) lookup(path string, stamp fileStamp) (string, bool) {
	if c == nil {
		return "", false
	}
	c.indexOnce.Do(func() {
		c.byPath = make(map[string]int, len(c.entries))
		for i, e := range c.entries {
			c.byPath[e.path] = i
		}
	})
	i, ok := c.byPath[path]
	if !ok || c.entries[i].stamp != stamp {
		return "", false
	}
	return c.entries[i].sum, true
}

// expect prepares the cache to record the n files of a manifest.
func (c *outputCache) expect(n int) {
	if c != nil {
		c.next = make([]cacheEntry, n)
	}
}

// record notes that the i-th file of the manifest, at path, had status
// stamp and hash sum. Calls for different i may run concurrently.
func (c *outputCache) record(i int, path string, stamp fileStamp, sum string) {
	if c != nil && !strings.Contains(path, "\n") {
		c.next[i] = cacheEntry{path, stamp, sum}
	}
}

// save stores what this run recorded, replacing the cache file
// atomically. The verification is complete, and the next Current may
// answer from statuses alone, when manifest and attributes are the
// settled statuses of the manifest and of .gitattributes and every file
// was recorded; otherwise only the recorded hashes are stored. Failing to
// store the cache only costs speed, so errors are ignored.
func (c *outputCache) save(manifest, attributes fileStamp) {
	if c == nil {
		return
	}
	var b bytes.Buffer
	b.WriteString(outputCacheHeader + "\nkey " + c.key + "\n")
	complete := manifest != fileStamp{} && attributes != fileStamp{} &&
		!slices.ContainsFunc(c.next, func(e cacheEntry) bool { return e.path == "" })
	if !complete {
		manifest, attributes = fileStamp{}, fileStamp{}
	}
	b.Write(appendStamp([]byte("manifest"), manifest))
	b.WriteByte('\n')
	b.Write(appendStamp([]byte("attributes"), attributes))
	b.WriteByte('\n')
	recorded := slices.DeleteFunc(slices.Clone(c.next), func(e cacheEntry) bool { return e.path == "" })
	fmt.Fprintf(&b, "files %d\n", len(recorded))
	for _, e := range recorded {
		line := appendStamp([]byte(e.sum), e.stamp)
		line = append(line, ' ')
		line = append(line, e.path...)
		b.Write(append(line, '\n'))
	}
	dir := filepath.Dir(c.file)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".outputs-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b.Bytes())
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), c.file) != nil {
		os.Remove(tmp.Name())
	}
	pruneCache(dir, time.Now())
}

// Cache files are rewritten whenever Current verifies their output
// directory again, so one not written for staleCache most likely
// describes a directory that was removed or moved; a temporary file older
// than staleTemp was left by an interrupted save. Removing a cache file
// that was still in use costs one verification that reads the outputs.
const (
	staleCache = 30 * 24 * time.Hour
	staleTemp  = time.Hour
)

// pruneCache removes the stale cache and temporary files of the cache
// directory dir. Other files are left alone; errors are ignored.
func pruneCache(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		var age time.Duration
		switch name := e.Name(); {
		case strings.HasPrefix(name, "outputs-"):
			age = staleCache
		case strings.HasPrefix(name, ".outputs-"):
			age = staleTemp
		default:
			continue
		}
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() && now.Sub(info.ModTime()) > age {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// appendStamp appends the five numbers of s to b, each after a space.
func appendStamp(b []byte, s fileStamp) []byte {
	for _, n := range [...]uint64{uint64(s.size), uint64(s.mtime), uint64(s.ctime), s.ino, s.dev} {
		b = append(b, ' ')
		b = strconv.AppendUint(b, n, 10)
	}
	return b
}

// parse reads the lines save writes: the header, the key, the statuses of
// the manifest and of .gitattributes, the number of entries and the
// entries. The statuses of the manifest and of
// .gitattributes are kept only when the key matches c's; a file that
// does not read as a whole is ignored.
func (c *outputCache) parse(data []byte) {
	lines := strings.Split(string(data), "\n")
	if len(lines) < 6 || lines[0] != outputCacheHeader || lines[len(lines)-1] != "" {
		return
	}
	count, err := strconv.Atoi(strings.TrimPrefix(lines[4], "files "))
	if err != nil || !strings.HasPrefix(lines[4], "files ") || count != len(lines)-6 {
		return
	}
	key, _ := strings.CutPrefix(lines[1], "key ")
	manifest, ok1 := labelledStamp(lines[2], "manifest")
	attributes, ok2 := labelledStamp(lines[3], "attributes")
	if !ok1 || !ok2 {
		return
	}
	entries := make([]cacheEntry, 0, count)
	for _, line := range lines[5 : len(lines)-1] {
		if len(line) < 2*sha256.Size || !validHex256(line[:2*sha256.Size]) {
			return
		}
		stamp, rest, ok := cutStamp(line[2*sha256.Size:])
		path, spaced := strings.CutPrefix(rest, " ")
		if !ok || !spaced || path == "" {
			return
		}
		entries = append(entries, cacheEntry{path, stamp, line[:2*sha256.Size]})
	}
	c.entries = entries
	if key == c.key {
		c.manifest, c.attributes = manifest, attributes
	}
}

// labelledStamp reads a line holding label and the five numbers
// appendStamp writes, and nothing else.
func labelledStamp(line, label string) (fileStamp, bool) {
	s, ok := strings.CutPrefix(line, label)
	if !ok {
		return fileStamp{}, false
	}
	stamp, rest, ok := cutStamp(s)
	return stamp, ok && rest == ""
}

// cutStamp reads the five numbers appendStamp writes from the front of s
// and returns the rest of s.
func cutStamp(s string) (stamp fileStamp, rest string, ok bool) {
	var n [5]uint64
	for i := range n {
		if s, ok = strings.CutPrefix(s, " "); !ok {
			return fileStamp{}, "", false
		}
		end := strings.IndexByte(s, ' ')
		if end < 0 {
			end = len(s)
		}
		v, err := strconv.ParseUint(s[:end], 10, 64)
		if err != nil {
			return fileStamp{}, "", false
		}
		n[i], s = v, s[end:]
	}
	return fileStamp{size: int64(n[0]), mtime: int64(n[1]), ctime: int64(n[2]), ino: n[3], dev: n[4]}, s, true
}
