package compiler

import (
	"fmt"
	"path"
	"strings"

	"cuelang.org/go/cue/token"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// pathEscapeCheck requires every path in the spec to be relative,
// slash-separated and inside the repository.
type pathEscapeCheck struct{}

func (pathEscapeCheck) Name() string { return "path-escape" }

func (c pathEscapeCheck) Run(m *model.Release, failed map[string]bool) diag.List {
	var out diag.List
	report := func(pos token.Pos, what, p string) {
		if msg := pathProblem(p); msg != "" {
			out = append(out, diag.Errorf(pos, c.Name(), "%s %q %s", what, p, msg))
		}
	}
	for _, s := range m.Services {
		if failed["services."+s.Name] {
			continue
		}
		report(s.Fields.Of("path", s.Pos), fmt.Sprintf("service %q: path", s.Name), s.Path)
		if pathProblem(s.Path) == "" {
			report(s.Fields.Of("dockerfile", s.Pos), fmt.Sprintf("service %q: dockerfile", s.Name), s.Dockerfile)
		}
		if s.TestSplit != nil {
			report(s.TestSplit.Pos, fmt.Sprintf("service %q: testSplit.glob", s.Name), s.TestSplit.Glob)
		}
	}
	for _, p := range m.Caches.Paths {
		report(m.Fields.Of("caches", m.Pos), "caches.paths entry", p)
	}
	return out
}

// pathProblem explains why p is not a safe repository-relative path, or
// returns "".
func pathProblem(p string) string {
	switch {
	case p == "":
		return "is empty"
	case strings.ContainsRune(p, '\\'):
		return "uses '\\': write paths with '/'"
	case strings.HasPrefix(p, "/"), len(p) > 1 && p[1] == ':':
		return "is absolute: write it relative to the repository root"
	case strings.HasPrefix(p, "~"):
		return "starts with '~': write it relative to the repository root"
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return "leaves the repository ('..'): keep paths inside it"
		}
	}
	if c := path.Clean(p); c != p && c+"/" != p {
		return fmt.Sprintf("is not clean: write %q", c)
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return "contains a control character"
		}
	}
	return ""
}
