package renovate

import (
	"path"
	"regexp"
	"strings"

	"release-gen.dev/release-gen/compiler/model"
)

// The custom managers find toolchain versions in the spec by a comment on
// the line before a versions list:
//
//	// renovate: datasource=node-version depName=node
//	versions: ["20", "22"]
//
// (# in a YAML spec). The comment takes datasource= and depName=, then
// optionally packageName= and versioning=, in that order. The list is a
// one-line list of double-quoted strings, as under matrix or a service.
// Renovate tracks the list's last entry: it replaces the only entry of a
// one-entry list (["22"] becomes ["24"]) and adds the new version after the
// last entry of a longer one (["20", "22"] becomes ["20", "22", "24"]), so
// a test matrix grows a version instead of skipping one; drop old versions
// in the same pull request.
//
// Both managers use Renovate's "recursive" strategy: the first pattern
// finds an annotated list, the second its last entry, whose text is all
// that Renovate replaces. The patterns are RE2 (Renovate's engine) and
// read the same under Go's regexp and JavaScript.
const (
	// annotationPattern matches the comment and the line break after it.
	annotationPattern = `(?://|#)[ \t]*renovate:[ \t]*datasource=(?<datasource>[^\s"]+)[ \t]+depName=(?<depName>[^\s"]+)` +
		`(?:[ \t]+packageName=(?<packageName>[^\s"]+))?(?:[ \t]+versioning=(?<versioning>[^\s"]+))?[ \t]*\r?\n`
	// listPattern matches the next line up to the list's opening bracket;
	// no bracket may come before the key, so that only this list's
	// entries are read.
	listPattern = `[^\n\[\]]*?\bversions"?[ \t]*:[ \t]*\[[ \t]*`
	itemPattern = `"[^"\n]+"`
	endPattern  = `[ \t]*,?[ \t]*\]`

	// singlePattern matches an annotated one-entry list.
	singlePattern = annotationPattern + listPattern + itemPattern + endPattern
	// multiPattern matches an annotated list of two entries or more.
	multiPattern = annotationPattern + listPattern + itemPattern + `(?:[ \t]*,[ \t]*` + itemPattern + `)+` + endPattern
	// lastPattern matches the last entry and the closing bracket.
	lastPattern = `"(?<currentValue>[^"\n]+)"` + endPattern
	// appendTemplate keeps the last entry and adds the new version.
	appendTemplate = `"{{{currentValue}}}", "{{{newValue}}}"]`
)

// specPatterns returns the Renovate file patterns of the spec files that
// can carry the annotation, or nil for a JSON spec, which has no comments.
// A CUE spec is every .cue file of its directory (one package).
func specPatterns(m *model.Release) []string {
	switch path.Ext(m.SpecFile) {
	case ".cue":
		dir := path.Dir(m.SpecFile)
		if dir == "." {
			return []string{`/^[^/]+\.cue$/`}
		}
		return []string{`/^` + regexp.QuoteMeta(dir) + `/[^/]+\.cue$/`}
	case ".yaml", ".yml":
		return []string{`/^` + regexp.QuoteMeta(m.SpecFile) + `$/`}
	}
	return nil
}

// specHasVersions reports whether the spec writes toolchain versions, under
// matrix or in a service.
func specHasVersions(m *model.Release) bool {
	if m.MatrixVersions != nil {
		return true
	}
	for _, s := range m.Services {
		if _, ok := s.Fields["versions"]; ok {
			return true
		}
	}
	return false
}

// customManagers returns the two managers that update annotated versions
// lists in the spec, or nil when the spec writes no versions or cannot
// carry comments.
func customManagers(m *model.Release) []customManager {
	files := specPatterns(m)
	if files == nil || !specHasVersions(m) {
		return nil
	}
	return []customManager{
		{
			Description:          "Toolchain versions in the release spec: replace the only entry of a one-entry versions list under a \"renovate: datasource=... depName=...\" comment",
			CustomType:           "regex",
			ManagerFilePatterns:  files,
			MatchStringsStrategy: "recursive",
			MatchStrings:         []string{singlePattern, lastPattern},
		},
		{
			Description:               "Toolchain versions in the release spec: add the new version after the last entry of a longer versions list under a \"renovate: datasource=... depName=...\" comment",
			CustomType:                "regex",
			ManagerFilePatterns:       files,
			MatchStringsStrategy:      "recursive",
			MatchStrings:              []string{multiPattern, lastPattern},
			AutoReplaceStringTemplate: appendTemplate,
		},
	}
}

// safeArg matches command arguments that Renovate's shlex splitting and
// template compilation leave unchanged.
var safeArg = regexp.MustCompile(`^[A-Za-z0-9._~/@+-]+$`)

// regenerate returns the post-upgrade task that rebuilds the generated
// files after Renovate changed the spec, so that its branch carries no
// drift, and "" with ok false when the drift job's paths cannot be passed
// to Renovate's command runner literally.
func regenerate(m *model.Release) (cmd string, ok bool) {
	d := m.Drift
	out := d.Out
	if out == "" {
		out = "."
	}
	dir := d.Dir
	if dir == "" {
		dir = "."
	}
	for _, a := range []string{d.Install, out, dir} {
		if !safeArg.MatchString(a) || strings.HasPrefix(a, "-") {
			return "", false
		}
	}
	return "go run " + d.Install + " build --out " + out + " " + dir, true
}
