package all_test

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/all"
)

// TestRenderShared renders one model from several goroutines at once and
// expects every result to equal the first: targets only read the model,
// so that a caller (a language server, a test) may render one compiled
// release concurrently. Run with -race (make test does) to catch a target
// that writes to it.
func TestRenderShared(t *testing.T) {
	for _, dir := range specs {
		res, err := compiler.Compile(compiler.Config{Dir: dir})
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		const n = 4
		results := make([][]targets.File, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				files, diags, err := all.Render(res.Release)
				if err != nil || diags.HasErrors(false) {
					t.Errorf("%s: %v %v", dir, err, diags)
				}
				results[i] = files
			})
		}
		wg.Wait()
		for i := 1; i < n; i++ {
			if diff := cmp.Diff(results[0], results[i]); diff != "" {
				t.Errorf("%s: render %d differs from render 0:\n%s", dir, i, diff)
			}
		}
	}
}
