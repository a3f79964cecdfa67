package gitref

import "testing"

func TestValidBranch(t *testing.T) {
	for b, want := range map[string]bool{
		"main":            true,
		"release/2.x":     true,
		"feature/a-b_c.d": true,
		"":                false,
		"@":               false,
		"/main":           false,
		"main/":           false,
		"main.":           false,
		"-main":           false,
		"a..b":            false,
		"a@{b":            false,
		"a//b":            false,
		"a/.b":            false,
		"a.lock":          false,
		"a/b.lock/c":      false,
		"a b":             false,
		"a~b":             false,
		"a^b":             false,
		"a:b":             false,
		"a?b":             false,
		"a*b":             false,
		"a[b":             false,
		"a\\b":            false,
		"a\x7fb":          false,
		"a\tb":            false,
	} {
		if got := ValidBranch(b); got != want {
			t.Errorf("ValidBranch(%q) = %v, want %v", b, got, want)
		}
	}
}
