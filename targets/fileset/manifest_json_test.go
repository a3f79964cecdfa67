package fileset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// awkwardStrings need escapes, or are at the edge of needing them, in JSON.
var awkwardStrings = []string{
	"", "a", "deploy/a&b<c>.json", `q"uote`, `back\slash`, "tab\there", "nl\nx", "cr\rx",
	"\x00", "\x1f", "\x7f", "é", "\u2028", "\u2029", "emoji 😀", "\xff", "a\xc3", "\\u0041", "/", "<>&",
}

// encodeWithJSON is how encoding/json writes m: what EncodeManifest must
// produce.
func encodeWithJSON(t testing.TB, m *Manifest) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Manifest{Generator: m.Generator, SpecHash: m.SpecHash, Targets: m.Targets, Files: sortedFiles(m.Files)}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// randomManifest builds a manifest from awkward and ordinary strings.
func randomManifest(r *rand.Rand) *Manifest {
	pick := func() string {
		if r.IntN(3) == 0 {
			return awkwardStrings[r.IntN(len(awkwardStrings))]
		}
		return fmt.Sprintf("name-%d", r.IntN(50))
	}
	m := &Manifest{Generator: pick(), SpecHash: pick(), Files: []ManifestFile{}}
	if n := r.IntN(4); n > 0 {
		m.Targets = make(map[string]string)
		for range n {
			m.Targets[pick()] = pick()
		}
	}
	for range r.IntN(6) {
		m.Files = append(m.Files, ManifestFile{Path: pick(), Target: pick(), SHA256: pick()})
	}
	return m
}

// TestManifestLayoutMatchesJSON holds the manifest's direct encoder and
// reader to encoding/json: the same bytes out, the same manifest in.
func TestManifestLayoutMatchesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		m := randomManifest(r)
		want := encodeWithJSON(t, m)
		got := EncodeManifest(m)
		if !bytes.Equal(got, want) {
			t.Fatalf("manifest %d: EncodeManifest differs from encoding/json:\n%s", i, cmp.Diff(string(want), string(got)))
		}
		parsed, ok := parseManifestLayout(got)
		if !ok {
			t.Fatalf("manifest %d: its own encoding is not read as the layout:\n%s", i, got)
		}
		var viaJSON Manifest
		if err := json.Unmarshal(got, &viaJSON); err != nil {
			t.Fatal(err)
		}
		if viaJSON.Files == nil {
			viaJSON.Files = []ManifestFile{}
		}
		if diff := cmp.Diff(&viaJSON, parsed); diff != "" {
			t.Fatalf("manifest %d: layout reader and encoding/json disagree (-json +layout):\n%s", i, diff)
		}
	}
}

// TestManifestLayoutRefuses checks that the layout reader leaves anything
// else to encoding/json rather than misreading it.
func TestManifestLayoutRefuses(t *testing.T) {
	good := string(EncodeManifest(&Manifest{
		Generator: "v1", SpecHash: "sha256:" + hexA, Targets: map[string]string{"ecr": "sha256:" + hexA},
		Files: []ManifestFile{{Path: "a.json", Target: "ecr", SHA256: hexB}},
	}))
	if _, ok := parseManifestLayout([]byte(good)); !ok {
		t.Fatalf("layout refuses its own encoding:\n%s", good)
	}
	for name, data := range map[string]string{
		"compact":         `{"generator":"v1","specHash":"sha256:` + hexA + `","files":[]}`,
		"trailing data":   good + "{}",
		"no final line":   good[:len(good)-1],
		"extra field":     good[:len(good)-3] + ",\n  \"x\": 1\n}\n",
		"raw control":     replaceOnce(good, `"v1"`, "\"v\x01\""),
		"unterminated":    good[:20],
		"duplicate key":   replaceOnce(good, `"ecr": "sha256:`+hexA+`"`, `"ecr": "sha256:`+hexA+`",`+"\n    "+`"ecr": "sha256:`+hexB+`"`),
		"empty targets":   replaceOnce(good, `"targets": {`+"\n    "+`"ecr": "sha256:`+hexA+`"`+"\n  }", `"targets": {}`),
		"bad escape":      replaceOnce(good, `"v1"`, `"v\q"`),
		"unquoted string": replaceOnce(good, `"v1"`, `v1`),
	} {
		if _, ok := parseManifestLayout([]byte(data)); ok {
			t.Errorf("%s: layout reader accepted\n%q", name, data)
		}
	}
}

func replaceOnce(s, old, new string) string {
	i := bytes.Index([]byte(s), []byte(old))
	if i < 0 {
		panic("replaceOnce: " + old + " not found")
	}
	return s[:i] + new + s[i+len(old):]
}
