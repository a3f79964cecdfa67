package fileset

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strings"
)

// The manifest is read on every `check`, including its fast path, and a
// spec with thousands of services lists thousands of files. Rather than
// encoding and decoding it with encoding/json's reflection, the manifest's
// one layout is written and read directly; encoding/json still writes and
// reads every string that needs escapes, and reads any manifest not in
// that layout (edited by hand, or by another tool).

// appendManifest appends the JSON encoding of m, whose files are sorted by
// path, to b: what encoding/json writes for a Manifest with two-space
// indentation and no HTML escaping.
func appendManifest(b []byte, m *Manifest) []byte {
	b = append(b, "{\n  \"generator\": "...)
	b = appendJSONString(b, m.Generator)
	b = append(b, ",\n  \"specHash\": "...)
	b = appendJSONString(b, m.SpecHash)
	if len(m.Targets) > 0 {
		b = append(b, ",\n  \"targets\": {"...)
		names := make([]string, 0, len(m.Targets))
		for name := range m.Targets {
			names = append(names, name)
		}
		sort.Strings(names)
		for i, name := range names {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n    "...)
			b = appendJSONString(b, name)
			b = append(b, ": "...)
			b = appendJSONString(b, m.Targets[name])
		}
		b = append(b, "\n  }"...)
	}
	b = append(b, ",\n  \"files\": ["...)
	for i, f := range m.Files {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    {\n      \"path\": "...)
		b = appendJSONString(b, f.Path)
		b = append(b, ",\n      \"target\": "...)
		b = appendJSONString(b, f.Target)
		b = append(b, ",\n      \"sha256\": "...)
		b = appendJSONString(b, f.SHA256)
		b = append(b, "\n    }"...)
	}
	if len(m.Files) > 0 {
		b = append(b, "\n  "...)
	}
	return append(b, "]\n}\n"...)
}

// appendJSONString appends s as a JSON string, as encoding/json writes it
// without HTML escaping.
func appendJSONString(b []byte, s string) []byte {
	if plainJSON(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		// Unreachable: every Go string encodes.
		panic(err)
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// plainJSON reports whether s is written between quotes as it is: printable
// ASCII other than the quote and the backslash.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// parseManifestLayout reads data if it is laid out exactly as
// appendManifest writes manifests, and reports whether it is. It does not
// validate the fields (decodeManifest does), and for any data it accepts,
// encoding/json reads the same manifest.
func parseManifestLayout(data []byte) (*Manifest, bool) {
	p := layoutParser{rest: data}
	m := &Manifest{Files: []ManifestFile{}}
	ok := p.literal("{\n  \"generator\": ") && p.str(&m.Generator) &&
		p.literal(",\n  \"specHash\": ") && p.str(&m.SpecHash)
	if !ok {
		return nil, false
	}
	if p.literal(",\n  \"targets\": {") {
		m.Targets = make(map[string]string)
		for first := true; first || p.literal(","); first = false {
			var name, hash string
			if !p.literal("\n    ") || !p.str(&name) || !p.literal(": ") || !p.str(&hash) {
				return nil, false
			}
			if _, dup := m.Targets[name]; dup {
				return nil, false
			}
			m.Targets[name] = hash
		}
		if !p.literal("\n  }") {
			return nil, false
		}
	}
	if !p.literal(",\n  \"files\": [") {
		return nil, false
	}
	if !p.literal("]\n}\n") {
		for first := true; first || p.literal(","); first = false {
			var f ManifestFile
			ok := p.literal("\n    {\n      \"path\": ") && p.str(&f.Path) &&
				p.literal(",\n      \"target\": ") && p.str(&f.Target) &&
				p.literal(",\n      \"sha256\": ") && p.str(&f.SHA256) &&
				p.literal("\n    }")
			if !ok {
				return nil, false
			}
			m.Files = append(m.Files, f)
		}
		if !p.literal("\n  ]\n}\n") {
			return nil, false
		}
	}
	if len(p.rest) > 0 {
		return nil, false
	}
	return m, true
}

// A layoutParser consumes the manifest layout from the front of rest.
type layoutParser struct {
	rest []byte
}

// literal consumes s if rest starts with it.
func (p *layoutParser) literal(s string) bool {
	if !bytes.HasPrefix(p.rest, []byte(s)) {
		return false
	}
	p.rest = p.rest[len(s):]
	return true
}

// str consumes a JSON string into *dst. Strings other than plain ASCII
// are decoded by encoding/json.
func (p *layoutParser) str(dst *string) bool {
	if len(p.rest) == 0 || p.rest[0] != '"' {
		return false
	}
	end := 1
	for ; end < len(p.rest) && p.rest[end] != '"'; end++ {
		if p.rest[end] == '\\' {
			end++ // the escaped character, which may be a quote
		}
	}
	if end >= len(p.rest) {
		return false
	}
	token := p.rest[:end+1]
	if s := string(token[1:end]); plainJSON(s) {
		*dst = s
	} else if err := json.Unmarshal(token, dst); err != nil {
		return false
	}
	p.rest = p.rest[end+1:]
	return true
}

// sortedFiles returns a copy of files sorted by path.
func sortedFiles(files []ManifestFile) []ManifestFile {
	out := slices.Clone(files)
	slices.SortFunc(out, func(a, b ManifestFile) int { return strings.Compare(a.Path, b.Path) })
	return out
}
