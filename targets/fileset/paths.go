package fileset

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"release-gen.dev/release-gen/targets"
)

const (
	// stateDir holds release-gen's own files under the output root.
	stateDir = ".release-gen"
	// ManifestPath is the manifest's slash-separated path relative to the
	// output root.
	ManifestPath = stateDir + "/manifest.json"
	// gitignorePath keeps the lock and temporary files out of git.
	gitignorePath    = stateDir + "/.gitignore"
	gitignoreContent = "lock\n*.tmp\n"
	lockPath         = stateDir + "/lock"
	// tempPattern names temporary files; the suffix matches gitignoreContent.
	tempPattern = ".release-gen-*.tmp"
)

// checkPath reports why p is not an acceptable output path, or "" if it is:
// it must be relative, slash-separated, clean, valid UTF-8, inside the
// output root and outside release-gen's own directory.
func checkPath(p string) string {
	switch {
	case p == "":
		return "empty path"
	case p == ".":
		return "names the output directory itself, not a file in it"
	case !utf8.ValidString(p):
		return "is not valid UTF-8"
	case strings.ContainsRune(p, 0):
		return "contains a NUL byte"
	case strings.Contains(p, `\`):
		return "contains a backslash; output paths are slash-separated"
	case path.IsAbs(p) || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
		return "is absolute; output paths are relative to the output directory"
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == ".." {
			return `contains ".."; output paths must stay inside the output directory`
		}
	}
	switch {
	case path.Clean(p) != p:
		return fmt.Sprintf("is not clean (want %q)", path.Clean(p))
	case p == stateDir || strings.HasPrefix(p, stateDir+"/"):
		return "is inside " + stateDir + "/, which release-gen reserves for its manifest"
	}
	return ""
}

// checkSet validates everything about s that needs no disk access: the
// file paths, their targets, the generator version and the spec hash.
func checkSet(s Set) error {
	var probs []Problem
	add := func(p, reason string) { probs = append(probs, Problem{Path: p, Reason: reason}) }
	if s.Root == "" {
		add(".", "the output root is empty")
	}
	if s.Generator == "" {
		add(ManifestPath, "the generator version is empty")
	}
	if !validSpecHash(s.SpecHash) {
		add(ManifestPath, fmt.Sprintf("spec hash %q is not of the form sha256:<64 hex digits>", s.SpecHash))
	}
	selected := make(map[string]bool)
	for _, t := range s.Targets {
		selected[t] = true
	}
	seen := make(map[string]bool)
	folded := make(map[string]string)
	for _, f := range s.Files {
		if reason := checkPath(f.Path); reason != "" {
			add(f.Path, reason)
			continue
		}
		if seen[f.Path] {
			add(f.Path, "is generated twice")
			continue
		}
		seen[f.Path] = true
		if other, ok := folded[strings.ToLower(f.Path)]; ok {
			add(f.Path, fmt.Sprintf("differs from %s only in case; the two would collide on case-insensitive filesystems", other))
		}
		folded[strings.ToLower(f.Path)] = f.Path
		switch {
		case f.Target == "":
			add(f.Path, "has no target")
		case !selected[f.Target]:
			add(f.Path, fmt.Sprintf("belongs to target %q, which is not among the targets being written", f.Target))
		}
	}
	// A generated file cannot also be a directory of another one.
	for _, f := range s.Files {
		for _, d := range ancestors(f.Path) {
			if seen[d] {
				add(d, "is generated as a file, but "+f.Path+" needs a directory there")
			}
		}
	}
	if len(probs) > 0 {
		return newRefusal(probs)
	}
	return nil
}

// ancestors returns the directories above the slash-separated path p,
// outermost first: "a/b/c" gives "a", "a/b".
func ancestors(p string) []string {
	var dirs []string
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			dirs = append(dirs, p[:i])
		}
	}
	return dirs
}

// hasMarker reports whether the generated-file marker appears in the first
// three lines of data.
func hasMarker(data []byte) bool {
	head := data
	lines := 0
	for i, c := range data {
		if c == '\n' {
			lines++
			if lines == 3 {
				head = data[:i]
				break
			}
		}
	}
	return bytes.Contains(head, []byte(targets.GeneratedMarker))
}

// normalizeEOL turns CRLF line endings into LF, so that a checkout with
// CRLF line endings compares and hashes like the LF original.
func normalizeEOL(data []byte) []byte {
	if !bytes.Contains(data, []byte("\r\n")) {
		return data
	}
	return bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
}

// A Problem is one reason the output tree cannot be written.
type Problem struct {
	// Path is slash-separated and relative to the output root.
	Path string
	// Reason says what is wrong and, where there is one, how to fix it.
	Reason string
}

// A RefusedError lists every problem found before anything was written;
// when Write returns one, the output tree is unchanged. Check returns one
// for problems that would make Write fail whatever it is asked to write,
// such as a symbolic link on an output path.
type RefusedError struct {
	// Problems is sorted by path.
	Problems []Problem
}

// newRefusal sorts probs by path and drops repeats.
func newRefusal(probs []Problem) *RefusedError {
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Path < probs[j].Path })
	out := probs[:0]
	for i, p := range probs {
		if i == 0 || p != probs[i-1] {
			out = append(out, p)
		}
	}
	return &RefusedError{Problems: out}
}

// Error lists the problems, one a line.
func (e *RefusedError) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		b.WriteString("cannot write the outputs, nothing was written:")
	} else {
		fmt.Fprintf(&b, "cannot write the outputs (%d problems), nothing was written:", len(e.Problems))
	}
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n\t%s: %s", p.Path, p.Reason)
	}
	return b.String()
}
