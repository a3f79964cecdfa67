package fileset

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"release-gen.dev/release-gen/targets"
)

func TestMergeAttributesKeepsTheRestOfTheFile(t *testing.T) {
	user := "*.png binary\n# my comment\n"
	first := string(mergeAttributes([]byte(user), []string{"a.yml"}))
	if !strings.HasPrefix(first, user+"\n"+attrBegin+"\n") {
		t.Errorf("block not appended after the user's lines:\n%s", first)
	}
	// Edit around the block; a rebuild replaces only the block, in place.
	edited := strings.Replace(first, "*.png binary", "*.png binary\n*.jpg binary", 1) + "docs/** -diff\n"
	second := string(mergeAttributes([]byte(edited), []string{"a.yml", "b.yml"}))
	if !strings.Contains(second, "*.jpg binary\n") || !strings.HasSuffix(second, attrEnd+"\ndocs/** -diff\n") {
		t.Errorf("user lines around the block were not kept:\n%s", second)
	}
	if strings.Count(second, attrBegin) != 1 || !strings.Contains(second, "/b.yml linguist-generated gitlab-generated\n") {
		t.Errorf("block not replaced in place:\n%s", second)
	}
	if again := string(mergeAttributes([]byte(second), []string{"a.yml", "b.yml"})); again != second {
		t.Errorf("merge is not idempotent:\n%s", again)
	}
	crlf := strings.ReplaceAll(second, "\n", "\r\n")
	if got := string(mergeAttributes([]byte(crlf), []string{"a.yml", "b.yml"})); strings.Count(got, attrBegin) != 1 {
		t.Errorf("a CRLF checkout got a second block:\n%q", got)
	}
}

// TestAttributePatternsMatchExactly asks git itself which files the block
// marks: every generated path, however hostile, and nothing else.
func TestAttributePatternsMatchExactly(t *testing.T) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	root := t.TempDir()
	paths := []string{
		"plain.yml", "dir with space/it's \"q\".yml", "#hash.yml", "!bang.yml",
		"star*/x[1]?.yml", `back\slash.yml`, "tab\there.yml", "deploy/ecr/api.json",
	}
	decoys := []string{"starX/x1a.yml", "dir with space/other.yml", "sub/plain.yml"}
	for _, p := range append(append([]string{}, paths...), decoys...) {
		full := filepath.Join(root, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, nil, 0o644)
	}
	os.WriteFile(filepath.Join(root, ".gitattributes"), mergeAttributes(nil, paths), 0o644)
	if out, err := exec.Command(gitBin, "-C", root, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	check := func(p string) bool {
		out, err := exec.Command(gitBin, "-C", root, "check-attr", "linguist-generated", "--", p).Output()
		if err != nil {
			t.Fatalf("git check-attr %q: %v", p, err)
		}
		return strings.HasSuffix(strings.TrimSpace(string(out)), ": set")
	}
	for _, p := range paths {
		if !check(p) {
			t.Errorf("%q is not marked generated", p)
		}
	}
	for _, p := range decoys {
		if check(p) {
			t.Errorf("%q is marked generated but release-gen did not write it", p)
		}
	}
}

func TestWriteMaintainsAttributes(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, ".gitattributes"), []byte("*.bin binary\n"), 0o644)
	s := Set{
		Root: root, Targets: []string{"github"}, Generator: "1", GitAttributes: true,
		SpecHash: SpecHash(map[string][]byte{"release.cue": []byte("x")}),
		Files:    []targets.File{{Path: "a.yml", Data: []byte("a\n"), Target: "github"}},
	}
	if _, err := Write(s); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(root, ".gitattributes"))
	if !strings.HasPrefix(string(b), "*.bin binary\n") || !strings.Contains(string(b), "/a.yml linguist-generated") {
		t.Errorf(".gitattributes = %q", b)
	}
	if d, err := Check(s); err != nil || len(d) != 0 {
		t.Errorf("check after build: %v %v", d, err)
	}
	os.WriteFile(filepath.Join(root, ".gitattributes"), []byte("*.bin binary\n"), 0o644)
	d, err := Check(s)
	if err != nil || len(d) != 1 || d[0].Kind != AttributesStale {
		t.Errorf("a removed block is drift: %v %v", d, err)
	}
	s.GitAttributes = false
	if d, err := Check(s); err != nil || len(d) != 0 {
		t.Errorf("opted out, .gitattributes is not release-gen's: %v %v", d, err)
	}
}
