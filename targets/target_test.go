package targets

import "testing"

func TestRefusal(t *testing.T) {
	for _, c := range []struct {
		limit SizeLimit
		size  int
		want  string
	}{
		{
			SizeLimit{Bytes: 1000, Rule: "the platform's limit of 1,000 bytes"}, 1234567,
			`two: over.yml would be 1,234,567 bytes for 3 services, over the platform's limit of 1,000 bytes: remove "two" from targets, or release fewer services from this spec`,
		},
		{
			SizeLimit{Bytes: 100, Unit: "widgets", Rule: "the platform's default of 100 widgets", Fix: "raise the default"}, 512000,
			"two: over.yml would be 512,000 widgets for 3 services, over the platform's default of 100 widgets: raise the default",
		},
		{
			SizeLimit{Bytes: 1, Rule: "one byte"}, 999,
			`two: over.yml would be 999 bytes for 3 services, over one byte: remove "two" from targets, or release fewer services from this spec`,
		},
	} {
		if got := c.limit.Refusal("two", "over.yml", c.size, 3); got != c.want {
			t.Errorf("Refusal:\n got %s\nwant %s", got, c.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 512000: "512,000", 16512345: "16,512,345"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestOverLimit(t *testing.T) {
	limit := SizeLimit{Bytes: 10}
	for _, c := range []struct {
		f        File
		measured int
		over     bool
	}{
		{File{Data: make([]byte, 10), Limit: limit}, 10, false},
		{File{Data: make([]byte, 11), Limit: limit}, 11, true},
		{File{Data: make([]byte, 11), Limit: limit, Size: 9}, 9, false},
		{File{Data: make([]byte, 1), Limit: limit, Size: 12}, 12, true},
		{File{Data: make([]byte, 100)}, 100, false},
	} {
		if got := c.f.Measured(); got != c.measured {
			t.Errorf("Measured() = %d, want %d", got, c.measured)
		}
		if got := c.f.OverLimit(); got != c.over {
			t.Errorf("size %d against %d: OverLimit() = %v, want %v", c.measured, c.f.Limit.Bytes, got, c.over)
		}
	}
}
