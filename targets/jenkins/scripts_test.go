package jenkins

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"release-gen.dev/release-gen/targets/internal/shell"
)

// fakeDocker is a docker stand-in for the script tests: it logs each call
// (one argument per line, then a line "--") and the standard input of
// `docker login`, and answers buildx the way a push does.
const fakeDocker = `#!/bin/bash
printf '%s\n' "$@" -- >> "$FAKE_LOG"
case "$1 $2" in
  "buildx build")
    while [ $# -gt 0 ]; do
      if [ "$1" = --metadata-file ]; then
        printf '{"containerimage.digest": "sha256:%064d"}' 7 > "$2"
      fi
      shift
    done
    ;;
  "login --username")
    cat > "$FAKE_LOG.stdin"
    ;;
esac
`

// scriptEnv prepares a workspace, a PATH with the fake docker and aws
// first, and the environment Jenkins gives a step.
type scriptEnv struct {
	t         *testing.T
	workspace string
	log       string
	env       []string
}

func newScriptEnv(t *testing.T) *scriptEnv {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("jq not found")
	}
	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	ws := filepath.Join(root, "work space's")
	home := filepath.Join(root, "home")
	for _, d := range []string{bin, ws, filepath.Join(home, ".docker", "cli-plugins")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bin, "docker"), []byte(fakeDocker), 0o755); err != nil {
		t.Fatal(err)
	}
	aws := "#!/bin/bash\nprintf 'ecr-token'\n"
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte(aws), 0o755); err != nil {
		t.Fatal(err)
	}
	s := &scriptEnv{t: t, workspace: ws, log: filepath.Join(root, "docker.log")}
	s.env = []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home,
		"WORKSPACE=" + ws,
		"WORKSPACE_TMP=" + ws + "@tmp",
		"FAKE_LOG=" + s.log,
		"GIT_COMMIT=0123456789abcdef0123456789abcdef01234567",
	}
	return s
}

// run runs script in the workspace with vars added to the environment.
func (s *scriptEnv) run(script string, vars ...string) (string, error) {
	s.t.Helper()
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = s.workspace
	cmd.Env = append(append([]string{}, s.env...), vars...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// calls returns the docker calls logged so far, as argument lists.
func (s *scriptEnv) calls() [][]string {
	data, _ := os.ReadFile(s.log)
	var out [][]string
	var cur []string
	for _, line := range strings.Split(string(data), "\n") {
		if line == "--" {
			out = append(out, cur)
			cur = nil
			continue
		}
		if line != "" {
			cur = append(cur, line)
		}
	}
	return out
}

func has(args []string, seq ...string) bool {
	for i := 0; i+len(seq) <= len(args); i++ {
		match := true
		for j := range seq {
			if args[i+j] != seq[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// TestBuildScript pushes an image with the fake docker and checks the tags,
// the private docker configuration and the image record.
func TestBuildScript(t *testing.T) {
	for _, tc := range []struct {
		tag  string
		tags []string
	}{
		{"", []string{"reg.example.com/web:0123456789abcdef0123456789abcdef01234567"}},
		{"v1.2.3-rc.1", []string{"reg.example.com/web:0123456789abcdef0123456789abcdef01234567", "reg.example.com/web:v1.2.3-rc.1"}},
		{"nightly", []string{"reg.example.com/web:0123456789abcdef0123456789abcdef01234567"}},
	} {
		t.Run(tc.tag, func(t *testing.T) {
			s := newScriptEnv(t)
			out, err := s.run(script(passwordLogin, buildImage(false)),
				"SERVICE=web", "IMAGE=reg.example.com/web", "PLATFORMS=linux/amd64,linux/arm64",
				"DOCKERFILE=svc/Dockerfile", "CONTEXT=svc", "TAG_NAME="+tc.tag,
				"REGISTRY_SERVER=reg.example.com", "REGISTRY_USERNAME=bot", "REGISTRY_PASSWORD=pa$$ 'word'")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var build, login []string
			for _, c := range s.calls() {
				if len(c) > 1 && c[0] == "buildx" && c[1] == "build" {
					build = c
				}
				if len(c) > 0 && c[0] == "login" {
					login = c
				}
			}
			for _, tag := range tc.tags {
				if !has(build, "--tag", tag) {
					t.Errorf("build %q does not push %s", build, tag)
				}
			}
			if n := strings.Count(strings.Join(build, "\n"), "--tag"); n != len(tc.tags) {
				t.Errorf("build %q pushes %d tags, want %d", build, n, len(tc.tags))
			}
			if !has(build, "--no-cache") || !has(build, "--platform", "linux/amd64,linux/arm64") || build[len(build)-1] != "svc" {
				t.Errorf("build %q", build)
			}
			if !has(login, "login", "--username", "bot", "--password-stdin", "reg.example.com") {
				t.Errorf("login %q", login)
			}
			if pw, _ := os.ReadFile(s.log + ".stdin"); string(pw) != "pa$$ 'word'" {
				t.Errorf("the password reached docker login's stdin as %q", pw)
			}
			dir := filepath.Join(s.workspace, filepath.FromSlash(imageDir("web")))
			digest, _ := os.ReadFile(filepath.Join(dir, "digest"))
			commit, _ := os.ReadFile(filepath.Join(dir, "commit"))
			if string(digest) != "sha256:"+strings.Repeat("0", 63)+"7\n" || string(commit) != "0123456789abcdef0123456789abcdef01234567\n" {
				t.Errorf("image record: digest %q, commit %q", digest, commit)
			}
			if _, err := os.Stat(filepath.Join(s.workspace+"@tmp", "release-gen", "docker")); !os.IsNotExist(err) {
				t.Errorf("the docker configuration with the login is left behind: %v", err)
			}

			// The record reads back for the later stages.
			out, err = s.run(script(readImage, imageRef, `printf '%s|%s|%s' "$DIGEST" "$SHA" "$IMAGE_REF"`),
				"SERVICE=web", "IMAGE=reg.example.com/web")
			want := "sha256:" + strings.Repeat("0", 63) + "7|0123456789abcdef0123456789abcdef01234567|reg.example.com/web@sha256:" + strings.Repeat("0", 63) + "7"
			if err != nil || out != want {
				t.Errorf("readImage: %v %q, want %q", err, out, want)
			}
		})
	}
}

// TestReadImageMissing: a stage that runs without its build's record
// fails with a message, not with an empty digest.
func TestReadImageMissing(t *testing.T) {
	s := newScriptEnv(t)
	out, err := s.run(script(readImage, `echo "DIGEST=$DIGEST"`), "SERVICE=api")
	if err == nil || !strings.Contains(out, "no image is recorded for api") {
		t.Errorf("readImage without a record: %v\n%s", err, out)
	}
}

// TestToolchainScript runs a test cell's script with the fake docker: the
// image is built from the axis value, the service directory (with a space
// and a quote) is the working directory, and the shared RunTest runs in
// the container.
func TestToolchainScript(t *testing.T) {
	s := newScriptEnv(t)
	svc := filepath.Join(s.workspace, "svc dir's")
	if err := os.MkdirAll(filepath.Join(svc, "test"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"a.js", "b.js", "c.js"} {
		if err := os.WriteFile(filepath.Join(svc, "test", f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	body := script(testReportsDir, serviceDir, shardFromAxis, shell.Shard, inToolchain(shell.RunTest, true))
	out, err := s.run(body, "SERVICE_PATH=svc dir's", "TOOLCHAIN=eclipse-temurin", "TOOLCHAIN_TAG_SUFFIX=-jdk",
		"VERSION=21", "SHARD=1", "TEST_SHARDS=2", "TEST_GLOB=test/*.js", "TEST_COMMAND=mvn test")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	calls := s.calls()
	if len(calls) != 1 {
		t.Fatalf("docker calls %q", calls)
	}
	run := calls[0]
	for _, want := range [][]string{
		{"run", "--rm"},
		{"--workdir", svc},
		{"--volume", s.workspace + ":" + s.workspace},
		{"--env", "TEST_FILES"},
		{"eclipse-temurin:21-jdk", "bash", "-eo", "pipefail", "-c", strings.TrimSuffix(shell.RunTest, "\n")},
	} {
		if !has(run, want...) {
			t.Errorf("docker %q lacks %q", run, want)
		}
	}
	if !strings.Contains(out, "test shard 2 of 2") {
		t.Errorf("output:\n%s", out)
	}
	if fi, err := os.Stat(filepath.Join(s.workspace, filepath.FromSlash(testReports))); err != nil || !fi.IsDir() {
		t.Errorf("no test report directory: %v", err)
	}

	// Generic services run on the agent, with CI set.
	out, err = s.run(script(serviceDir, onAgent(shell.RunTest)), "SERVICE_PATH=svc dir's",
		`TEST_COMMAND=printf '%s' "$CI" > ci.txt`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if ci, _ := os.ReadFile(filepath.Join(svc, "ci.txt")); string(ci) != "true" {
		t.Errorf("CI = %q on the agent", ci)
	}
}
