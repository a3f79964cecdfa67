package compiler_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/internal/specgen"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/all"
)

// scaleServices is the size of the largest spec the tests compile.
const scaleServices = 10000

// maxScaleHeap bounds the live heap while a spec of scaleServices services
// is compiled, checked and rendered.
const maxScaleHeap = 4 << 30

// TestScale compiles a generated spec of 10,000 services, runs the checks
// of every target it selects as vet does, and renders the targets whose
// files do not grow with the number of services (one small file per
// service, or one file per spec). It logs the time and memory each step
// took; it asserts the model, positioned diagnostics and a generous bound
// on the live heap, never time.
func TestScale(t *testing.T) {
	dir := t.TempDir()
	if err := specgen.Write(dir, scaleServices); err != nil {
		t.Fatal(err)
	}
	heap := watchHeap()
	defer heap.stop()

	step := time.Now()
	res, err := compiler.Compile(compiler.Config{Dir: dir})
	if err != nil {
		var se *compiler.SpecError
		if errors.As(err, &se) {
			for _, d := range se.Diagnostics[:min(10, len(se.Diagnostics))] {
				t.Log(d.Error())
			}
		}
		t.Fatalf("compiling %d services: %v", scaleServices, err)
	}
	t.Logf("compile: %v, live heap peak %s", time.Since(step).Round(time.Millisecond), mib(heap.peak()))
	m := res.Release
	checkScaleModel(t, m)

	step = time.Now()
	diags := all.Check(m)
	for i, d := range diags {
		if !d.Pos.IsValid() {
			t.Errorf("diagnostic without a position: %s", d.Error())
		}
		if i < 5 {
			t.Log(d.Error())
		}
	}
	t.Logf("target checks (vet): %v, %d diagnostics, %d errors, live heap peak %s",
		time.Since(step).Round(time.Millisecond), len(diags), countErrors(diags), mib(heap.peak()))

	canaries := 0
	for _, s := range m.Services {
		if s.Canary != nil {
			canaries++
		}
	}
	for _, r := range []struct {
		target string
		files  int
	}{{"ecr", scaleServices}, {"flagger", canaries}, {"renovate", 1}} {
		step = time.Now()
		files, err := all.Lookup(r.target).Render(m)
		if err != nil {
			t.Fatalf("%s: %v", r.target, err)
		}
		if len(files) != r.files {
			t.Errorf("%s rendered %d files, want %d", r.target, len(files), r.files)
		}
		size := 0
		for _, f := range files {
			size += len(f.Data)
		}
		t.Logf("%s render: %d files, %s, %v, live heap peak %s", r.target, len(files), mib(uint64(size)), time.Since(step).Round(time.Millisecond), mib(heap.peak()))
	}

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("in all: %s allocated, live heap peak %s, %s obtained from the OS", mib(ms.TotalAlloc), mib(heap.peak()), mib(ms.Sys))
	if p := heap.peak(); p > maxScaleHeap {
		t.Errorf("the live heap reached %s, more than %s", mib(p), mib(maxScaleHeap))
	}
}

// checkScaleModel checks the compiled release of a specgen spec of
// scaleServices services: every service is there, in deploy order, and the
// plan deploys them in specgen's six tiers.
func checkScaleModel(t *testing.T, m *model.Release) {
	t.Helper()
	if len(m.Services) != scaleServices {
		t.Fatalf("compiled %d services, want %d", len(m.Services), scaleServices)
	}
	if len(m.Plan.Waves) != 6 {
		t.Errorf("%d deploy waves, want specgen's 6 tiers", len(m.Plan.Waves))
	}
	waveOf := map[string]int{}
	total := 0
	for w, names := range m.Plan.Waves {
		for _, name := range names {
			waveOf[name] = w
		}
		total += len(names)
	}
	if total != scaleServices || len(waveOf) != scaleServices {
		t.Errorf("the waves hold %d entries, %d distinct services, want %d", total, len(waveOf), scaleServices)
	}
	for i, s := range m.Services {
		if i > 0 && s.Wave < m.Services[i-1].Wave {
			t.Fatalf("service %s (wave %d) comes after %s (wave %d)", s.Name, s.Wave, m.Services[i-1].Name, m.Services[i-1].Wave)
		}
		if waveOf[s.Name] != s.Wave {
			t.Errorf("service %s is in wave %d of the plan, but its wave is %d", s.Name, waveOf[s.Name], s.Wave)
		}
		for _, dep := range s.DependsOn {
			if waveOf[dep.Name] >= s.Wave {
				t.Errorf("service %s (wave %d) depends on %s (wave %d)", s.Name, s.Wave, dep.Name, waveOf[dep.Name])
			}
		}
	}
}

func countErrors(ds diag.List) int {
	n := 0
	for _, d := range ds {
		if d.Severity == diag.Error {
			n++
		}
	}
	return n
}

// heapWatch samples the live heap (runtime.MemStats.HeapAlloc) every few
// milliseconds and keeps the largest value seen.
type heapWatch struct {
	max  atomic.Uint64
	done chan struct{}
}

// watchHeap starts sampling the live heap until stop.
func watchHeap() *heapWatch {
	w := &heapWatch{done: make(chan struct{})}
	go func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			w.sample()
			select {
			case <-w.done:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *heapWatch) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	for {
		old := w.max.Load()
		if ms.HeapAlloc <= old || w.max.CompareAndSwap(old, ms.HeapAlloc) {
			return
		}
	}
}

// peak returns the largest live heap seen so far, sampling it once more.
func (w *heapWatch) peak() uint64 {
	w.sample()
	return w.max.Load()
}

func (w *heapWatch) stop() { close(w.done) }

// mib formats a byte count in MiB.
func mib(n uint64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

// limitsBase is a valid spec that the limit tests add one field to.
const limitsBase = `package release

name:     "shop"
registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com"
services: api: {}
retention: [{untagged: true, expireAfterDays: 7}]
`

// compileSpec writes spec as release.cue in a new directory and compiles it.
func compileSpec(t *testing.T, spec string) (*compiler.Result, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "release.cue"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return compiler.Compile(compiler.Config{Dir: dir})
}

// specErrors returns the diagnostics of a *compiler.SpecError, failing the
// test on any other outcome or on a diagnostic without a position.
func specErrors(t *testing.T, err error) diag.List {
	t.Helper()
	var se *compiler.SpecError
	if !errors.As(err, &se) {
		t.Fatalf("want a SpecError, got %T: %v", err, err)
	}
	for _, d := range se.Diagnostics {
		if !d.Pos.IsValid() {
			t.Errorf("diagnostic without a position: %s", d.Error())
		}
	}
	return se.Diagnostics
}

// TestLongDescription gives a retention rule a description of 1 MB. The
// lifecycle policy it would render is far beyond ECR's 30,720 characters,
// so the spec is rejected by retention-length, at the rule, with a message
// that does not repeat the description.
func TestLongDescription(t *testing.T) {
	spec := strings.Replace(limitsBase, "[{untagged", `[{description: "`+strings.Repeat("x", 1<<20)+`", untagged`, 1)
	_, err := compileSpec(t, spec)
	diags := specErrors(t, err)
	if len(diags) != 1 || diags[0].Check != "retention-length" {
		t.Fatalf("want one retention-length error, got %v", diags)
	}
	d := diags[0]
	if d.Pos.Line() != 6 || d.Pos.Column() != 13 {
		t.Errorf("the error is at %d:%d, want the rule at 6:13", d.Pos.Line(), d.Pos.Column())
	}
	if len(d.Error()) > 1000 {
		t.Errorf("the message is %d bytes long", len(d.Error()))
	}
}

// TestDeeplyNested writes values nested 5,000 levels deep where the spec
// allows any value (a hidden field), as a list, where the schema wants a
// string, and in a field the schema does not know. Each compiles, or is
// rejected with positioned diagnostics, without exhausting the stack.
func TestDeeplyNested(t *testing.T) {
	const depth = 5000
	structs := strings.Repeat("{a: ", depth) + "1" + strings.Repeat("}", depth)
	lists := strings.Repeat("[", depth) + "1" + strings.Repeat("]", depth)
	for _, c := range []struct {
		name, field string
		check       string // the check that rejects it, "" when it compiles
	}{
		{"hidden-field", "_deep: " + structs, ""},
		{"list", "_deep: " + lists, ""},
		{"parentheses", "_deep: " + strings.Repeat("(", depth) + "1" + strings.Repeat(")", depth), ""},
		{"typed-field", "services: api: test: " + structs, "schema"},
		{"unknown-field", "extra: " + structs, "schema"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := compileSpec(t, limitsBase+c.field+"\n")
			if c.check == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Release.Services) != 1 {
					t.Errorf("compiled %d services, want 1", len(res.Release.Services))
				}
				return
			}
			for _, d := range specErrors(t, err) {
				if d.Check != c.check || d.Pos.Line() != 7 {
					t.Errorf("want %s errors on line 7, got %s", c.check, d.Error()[:min(200, len(d.Error()))])
				}
			}
		})
	}
}

// TestLargeDisjunction constrains every port to a disjunction of 1,000
// values and gives ten services a port each. CUE's evaluation time grows
// with the number of alternatives times the number of values they apply
// to; the spec compiles and every port is kept.
func TestLargeDisjunction(t *testing.T) {
	const alternatives, services = 1000, 10
	var b strings.Builder
	fmt.Fprintf(&b, `package release

import "list"

name:     "shop"
registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com"
retention: [{untagged: true, expireAfterDays: 7}]
#Port: or([for i in list.Range(1, %d, 1) {i}])
services: [string]: port: #Port
`, alternatives+1)
	for i := range services {
		fmt.Fprintf(&b, "services: \"svc-%d\": port: %d\n", i, alternatives-i)
	}
	step := time.Now()
	res, err := compileSpec(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d alternatives, %d services: compiled in %v", alternatives, services, time.Since(step).Round(time.Millisecond))
	for _, s := range res.Release.Services {
		var i int
		if _, err := fmt.Sscanf(s.Name, "svc-%d", &i); err != nil || s.Port != alternatives-i {
			t.Errorf("service %s has port %d", s.Name, s.Port)
		}
	}
	if len(res.Release.Services) != services {
		t.Errorf("compiled %d services, want %d", len(res.Release.Services), services)
	}
}
