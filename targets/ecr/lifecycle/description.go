package lifecycle

import (
	"fmt"
	"strings"

	"release-gen.dev/release-gen/compiler/model"
)

// DefaultDescription describes a rule that has no description of its own,
// from its selector and action, for example "Keep the 10 newest images
// with a tag starting with prod-" or "Expire untagged images 7 days after
// push". It depends on nothing but the rule.
func DefaultDescription(r *model.RetentionRule) string {
	pre, post := selectionWords(r)
	images := func(n int) string {
		noun := "images"
		if n == 1 {
			noun = "image"
		}
		return pre + noun + post
	}
	switch {
	case r.Keep == 1:
		return "Keep the newest " + images(1)
	case r.Keep > 0:
		return fmt.Sprintf("Keep the %d newest %s", r.Keep, images(2))
	case r.ExpireAfterDays > 0:
		return fmt.Sprintf("Expire %s %s after push", images(2), days(r.ExpireAfterDays))
	case r.ArchiveAfterUnpulledDays > 0:
		return fmt.Sprintf("Archive %s not pulled for %s", images(2), days(r.ArchiveAfterUnpulledDays))
	case r.ExpireArchivedAfterDays > 0:
		return fmt.Sprintf("Expire archived %s %s after archiving", images(2), days(r.ExpireArchivedAfterDays))
	}
	return "Retention rule"
}

// selectionWords returns what goes before and after the noun "images".
func selectionWords(r *model.RetentionRule) (pre, post string) {
	switch {
	case len(r.TagPatterns) == 1:
		return "", " with a tag matching " + r.TagPatterns[0]
	case len(r.TagPatterns) > 1:
		return "", " with tags matching " + list(r.TagPatterns)
	case len(r.TagPrefixes) == 1:
		return "", " with a tag starting with " + r.TagPrefixes[0]
	case len(r.TagPrefixes) > 1:
		return "", " with tags starting with " + list(r.TagPrefixes)
	case r.Untagged:
		return "untagged ", ""
	}
	return "", ""
}

// list joins items as "a, b and c".
func list(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
