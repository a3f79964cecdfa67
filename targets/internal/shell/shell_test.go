package shell

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"release-gen.dev/release-gen/compiler/model"
)

// run executes script under bash -eo pipefail (as GitHub does) in dir with
// env, and PATH extended by bin.
func run(t *testing.T, dir, bin, script string, env ...string) (string, error) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is required")
	}
	cmd := exec.Command(bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", Prelude+script)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + bin + ":" + os.Getenv("PATH"), "TMPDIR=" + dir, "HOME=" + dir}, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestShardDealsDisjointShares(t *testing.T) {
	dir := t.TempDir()
	var want []string
	for _, f := range []string{"a/x.js", "a/b/y.js", "c.js", "d e.js", "z/q/r/s.js", "skip.txt"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
		if strings.HasSuffix(f, ".js") {
			want = append(want, f)
		}
	}
	var got []string
	for shard := range 3 {
		out, err := run(t, dir, "", Shard+`printf '%s' "$TEST_FILES"`, "TEST_GLOB=**/*.js", "TEST_SHARD="+string(rune('0'+shard)), "TEST_SHARDS=3")
		if err != nil {
			t.Fatalf("shard %d: %v\n%s", shard, err, out)
		}
		_, files, _ := strings.Cut(out, "\n")
		if files != "" {
			// File names with spaces stay whole in the share's order.
			got = append(got, splitShare(files, want)...)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("shares = %q, want every file exactly once: %q", got, want)
	}
}

// splitShare splits a space-joined share back into known file names.
func splitShare(s string, known []string) []string {
	var out []string
	for s != "" {
		found := false
		for _, k := range known {
			if strings.HasPrefix(s, k) {
				out = append(out, k)
				s = strings.TrimPrefix(strings.TrimPrefix(s, k), " ")
				found = true
				break
			}
		}
		if !found {
			return append(out, s)
		}
	}
	return out
}

func TestShardNeverRunsTheGlob(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.js"), nil, 0o644)
	out, err := run(t, dir, "", Shard+`echo "$TEST_FILES"`, "TEST_GLOB=$(touch pwned)*.js`touch pwned2`", "TEST_SHARD=0", "TEST_SHARDS=2")
	if err == nil {
		t.Errorf("a glob matching nothing must fail the job:\n%s", out)
	}
	if !strings.Contains(out, "matches no file") {
		t.Errorf("missing message:\n%s", out)
	}
	for _, f := range []string{"pwned", "pwned2"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("the glob was executed: %s exists", f)
		}
	}
}

func TestLicenseGate(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		t.Fatal("jq is required (the CI runners ship it)")
	}
	sbom := func(licenses ...string) string {
		var pkgs []map[string]string
		for i, l := range licenses {
			pkgs = append(pkgs, map[string]string{"name": "p" + string(rune('a'+i)), "licenseConcluded": l})
		}
		b, _ := json.Marshal(map[string]any{"packages": pkgs})
		return string(b)
	}
	for _, tc := range []struct {
		licenses []string
		deny     string
		fail     bool
	}{
		{[]string{"MIT", "Apache-2.0"}, "GPL-3.0,AGPL-3.0", false},
		{[]string{"MIT", "GPL-3.0-or-later"}, "GPL-3.0", true},
		{[]string{"(MIT OR gpl-3.0-only)"}, "GPL-3.0", true},
		{[]string{"LGPL-3.0-only"}, "GPL-3.0", false},
		{[]string{"AGPL-3.0-only"}, "GPL-3.0-only,AGPL-3.0-only", true},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, SBOMFile), []byte(sbom(tc.licenses...)), 0o644)
		out, err := run(t, dir, "", LicenseGate, "DENY="+tc.deny)
		if (err != nil) != tc.fail {
			t.Errorf("licenses %v deny %s: failed=%v, want %v\n%s", tc.licenses, tc.deny, err != nil, tc.fail, out)
		}
	}
}

// fakeKubectl installs a kubectl that answers canary phase and primary
// image queries from files the test controls.
func fakeKubectl(t *testing.T, dir, phase, image string) string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	os.MkdirAll(bin, 0o755)
	script := `#!/bin/sh
case "$*" in
  *jsonpath*) printf '%s' '` + phase + `' ;;
  *deployment/*-primary*) printf '{"spec":{"template":{"spec":{"containers":[{"name":"api","image":"` + image + `"}]}}}}' ;;
  *describe*) echo described ;;
esac
`
	os.WriteFile(filepath.Join(bin, "kubectl"), []byte(script), 0o755)
	os.WriteFile(filepath.Join(bin, "sleep"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
	return bin
}

func TestCanaryWait(t *testing.T) {
	env := []string{"NAMESPACE=prod", "SERVICE=api", "IMAGE=r/api", "SHA=abc", "DIGEST=sha256:1", "WAIT_SECONDS=2"}
	dir := t.TempDir()
	out, err := run(t, dir, fakeKubectl(t, dir, "Succeeded", "r/api:abc@sha256:1"), CanaryWait+"echo after", env...)
	if err != nil || !strings.Contains(out, "canary promoted") || !strings.Contains(out, "after") {
		t.Errorf("promoted canary: err=%v\n%s", err, out)
	}
	dir = t.TempDir()
	out, err = run(t, dir, fakeKubectl(t, dir, "Succeeded", "r/api:old@sha256:0"), CanaryWait, env...)
	if err == nil || !strings.Contains(out, "timed out") {
		t.Errorf("an old primary image must not count as promoted: err=%v\n%s", err, out)
	}
}

func TestSlackPayloadStaysJSON(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.MkdirAll(bin, 0o755)
	os.WriteFile(filepath.Join(bin, "curl"), []byte("#!/bin/sh\nfor a; do last=\"$prev\"; prev=\"$a\"; done\nprintf '%s' \"$last\" > \"$HOME/payload\"\n"), 0o755)
	hostile := `#rel"eases\n", "text": "pwned`
	out, err := run(t, dir, bin, Slack, "SLACK_WEBHOOK_URL=https://hooks.example/x", "SLACK_CHANNEL="+hostile, "STATUS=failed", "REPOSITORY=a/b", "REF_NAME=main", "RUN_URL=https://ci/1")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "payload"))
	var payload map[string]string
	if err := json.Unmarshal(b, &payload); err != nil {
		t.Fatalf("payload is not JSON: %v\n%s", err, b)
	}
	if payload["channel"] != hostile || !strings.HasPrefix(payload["text"], "release failed: a/b (main)") {
		t.Errorf("payload = %v", payload)
	}
}

func TestCanaryWaitDuration(t *testing.T) {
	d, err := CanaryWaitDuration(&model.Canary{Interval: "1m", MaxWeight: 50, StepWeight: 10, Threshold: 5})
	if err != nil || d != 18*time.Minute {
		t.Errorf("got %v, %v; want 18m: (5 steps + 5 failures + 3) x 1m + 5m", d, err)
	}
	if _, err := CanaryWaitDuration(&model.Canary{Interval: "1h"}); err == nil {
		t.Error("an hour interval is not a Flagger duration")
	}
}
