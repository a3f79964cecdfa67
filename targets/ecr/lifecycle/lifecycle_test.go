package lifecycle

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/model"
)

// TestMapping renders one rule of each selector and action and decodes the
// policy back, so that every field is checked as ECR reads it.
func TestMapping(t *testing.T) {
	rules := []*model.RetentionRule{
		{Description: "prod", TagPrefixes: []string{"prod-"}, Keep: 10},
		{TagPatterns: []string{"pr-*"}, ExpireAfterDays: 14},
		{TagPatterns: []string{"v*"}, ArchiveAfterUnpulledDays: 90},
		{TagPatterns: []string{"v*"}, ExpireArchivedAfterDays: 365},
		{Untagged: true, ExpireAfterDays: 7},
		{Any: true, Keep: 200},
	}
	text, err := Render(rules)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(text, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"rules": []any{
		rule1(1, "prod", map[string]any{"tagStatus": "tagged", "tagPrefixList": []any{"prod-"}, "countType": "imageCountMoreThan", "countNumber": 10.0}, expire),
		rule1(2, "Expire images with a tag matching pr-* 14 days after push", map[string]any{"tagStatus": "tagged", "tagPatternList": []any{"pr-*"}, "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14.0}, expire),
		rule1(3, "Archive images with a tag matching v* not pulled for 90 days", map[string]any{"tagStatus": "tagged", "tagPatternList": []any{"v*"}, "countType": "sinceImagePulled", "countUnit": "days", "countNumber": 90.0}, map[string]any{"type": "transition", "targetStorageClass": "archive"}),
		rule1(4, "Expire archived images with a tag matching v* 365 days after archiving", map[string]any{"tagStatus": "tagged", "tagPatternList": []any{"v*"}, "storageClass": "archive", "countType": "sinceImageTransitioned", "countUnit": "days", "countNumber": 365.0}, expire),
		rule1(5, "Expire untagged images 7 days after push", map[string]any{"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7.0}, expire),
		rule1(6, "Keep the 200 newest images", map[string]any{"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 200.0}, expire),
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded policy (-want +got):\n%s", diff)
	}
}

var expire = map[string]any{"type": "expire"}

func rule1(prio float64, desc string, sel, act map[string]any) map[string]any {
	return map[string]any{"rulePriority": prio, "description": desc, "selection": sel, "action": act}
}

// TestFormat pins the layout: fixed key order, two-space indent, a final
// newline, and HTML characters written as themselves.
func TestFormat(t *testing.T) {
	text, err := Render([]*model.RetentionRule{{Description: "a <b> & c", TagPatterns: []string{"v*", "*-rc"}, Keep: 3}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "rules": [
    {
      "rulePriority": 1,
      "description": "a <b> & c",
      "selection": {
        "tagStatus": "tagged",
        "tagPatternList": [
          "v*",
          "*-rc"
        ],
        "countType": "imageCountMoreThan",
        "countNumber": 3
      },
      "action": {
        "type": "expire"
      }
    }
  ]
}
`
	if diff := cmp.Diff(want, string(text)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDescriptionRoundTrip: descriptions that break naive quoting come
// back from any JSON decoder exactly as written.
func TestDescriptionRoundTrip(t *testing.T) {
	descs := []string{
		`It's "quoted" \u0027 ${{ x }} $(id) </script> ` + "\u2028 \u2029 end",
		"tab\tnewline\ncarriage\rnul\x00 é 😀",
		`back\slash \\ \"`,
	}
	var rules []*model.RetentionRule
	for i, d := range descs {
		rules = append(rules, &model.RetentionRule{Description: d, TagPrefixes: []string{string(rune('a' + i))}, Keep: 2})
	}
	text, err := Render(rules)
	if err != nil {
		t.Fatal(err)
	}
	var p policy
	if err := json.Unmarshal(text, &p); err != nil {
		t.Fatal(err)
	}
	for i, d := range descs {
		if p.Rules[i].Description != d {
			t.Errorf("rule %d: description %q, want %q", i, p.Rules[i].Description, d)
		}
	}
	for _, s := range []string{`</script>`, `\\u0027`, `\u2028`, `\u2029`, `\u0000`} {
		if !strings.Contains(string(text), s) {
			t.Errorf("policy text does not contain %s:\n%s", s, text)
		}
	}
}

func TestDefaultDescription(t *testing.T) {
	for _, tc := range []struct {
		r    model.RetentionRule
		want string
	}{
		{model.RetentionRule{TagPrefixes: []string{"prod-"}, Keep: 1}, "Keep the newest image with a tag starting with prod-"},
		{model.RetentionRule{TagPrefixes: []string{"a", "b", "c"}, Keep: 2}, "Keep the 2 newest images with tags starting with a, b and c"},
		{model.RetentionRule{TagPatterns: []string{"v*", "*-rc"}, ExpireAfterDays: 1}, "Expire images with tags matching v* and *-rc 1 day after push"},
		{model.RetentionRule{Untagged: true, Keep: 1}, "Keep the newest untagged image"},
		{model.RetentionRule{Any: true, ArchiveAfterUnpulledDays: 30}, "Archive images not pulled for 30 days"},
		{model.RetentionRule{Untagged: true, ExpireArchivedAfterDays: 90}, "Expire archived untagged images 90 days after archiving"},
	} {
		if got := DefaultDescription(&tc.r); got != tc.want {
			t.Errorf("DefaultDescription(%+v) = %q, want %q", tc.r, got, tc.want)
		}
	}
}

func TestRenderRejectsMalformedRules(t *testing.T) {
	for name, r := range map[string]*model.RetentionRule{
		"no selector":   {Keep: 1},
		"two selectors": {Untagged: true, Any: true, Keep: 1},
		"no action":     {Untagged: true},
		"two actions":   {Untagged: true, Keep: 1, ExpireAfterDays: 2},
	} {
		if _, err := Render([]*model.RetentionRule{{Any: true, Keep: 5}, r}); err == nil || !strings.HasPrefix(err.Error(), "retention rule 2: ") {
			t.Errorf("%s: Render error = %v", name, err)
		}
	}
}

func TestLength(t *testing.T) {
	for s, want := range map[string]int{
		"":                      0,
		"abc":                   3,
		"é":                     1,
		"\u2028":                1,
		"😀":                     2, // outside the BMP: a UTF-16 surrogate pair
		`{"a":"\u2028"}` + "\n": 15,
		"\xffa":                 2, // invalid UTF-8 counts a character per byte
		"\xe2\x80":              2,
	} {
		if got := Length([]byte(s)); got != want {
			t.Errorf("Length(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestStorageClass(t *testing.T) {
	if got := StorageClass(&model.RetentionRule{ExpireArchivedAfterDays: 90}); got != Archive {
		t.Errorf("expireArchivedAfterDays: %q", got)
	}
	for _, r := range []*model.RetentionRule{{Keep: 1}, {ExpireAfterDays: 1}, {ArchiveAfterUnpulledDays: 1}} {
		if got := StorageClass(r); got != Standard {
			t.Errorf("%+v: %q", r, got)
		}
	}
}
