// Package lifecycle turns a list of retention rules into the text of an
// Amazon ECR lifecycle policy. It is the one definition of that text: the
// ecr target writes it, and the compiler measures it against ECR's policy
// length limit, so that vet and build agree to the character.
//
// The mapping, rule by rule, in list order:
//
//	rulePriority              the rule's position in the list: 1, 2, ...
//	tagPatterns               tagStatus "tagged", tagPatternList
//	tagPrefixes               tagStatus "tagged", tagPrefixList
//	untagged: true            tagStatus "untagged"
//	any: true                 tagStatus "any"
//	keep: N                   countType imageCountMoreThan, countNumber N; action expire
//	expireAfterDays: N        countType sinceImagePushed, N days; action expire
//	archiveAfterUnpulledDays  countType sinceImagePulled, N days;
//	                          action transition, targetStorageClass "archive"
//	expireArchivedAfterDays   storageClass "archive", countType
//	                          sinceImageTransitioned, N days; action expire
//
// A rule without a description gets one generated from its selection and
// action (DefaultDescription). The policy is JSON with keys in the order
// above, indented by two spaces, ending in a newline; '<', '>' and '&' are
// written as themselves, U+2028 and U+2029 as \u escapes.
package lifecycle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"release-gen.dev/release-gen/compiler/model"
)

// Limits that ECR documents for lifecycle policies and their rules.
const (
	// MaxRules is the number of rules a policy may have (service quota,
	// not adjustable).
	MaxRules = 50
	// MaxLength is the length of the policy text in characters (service
	// quota, not adjustable); see Length.
	MaxLength = 30720
	// MaxWildcards is the number of '*' a tag pattern may contain.
	MaxWildcards = 4
	// MinArchiveDays is the minimum storage duration of archived images:
	// a rule may not expire images archived for fewer days.
	MinArchiveDays = 90
)

// ECR storage classes.
const (
	Standard = "standard"
	Archive  = "archive"
)

// policy is the document ECR reads. Field order is the output's key order.
type policy struct {
	Rules []rule `json:"rules"`
}

type rule struct {
	RulePriority int       `json:"rulePriority"`
	Description  string    `json:"description"`
	Selection    selection `json:"selection"`
	Action       action    `json:"action"`
}

type selection struct {
	TagStatus      string   `json:"tagStatus"`
	TagPatternList []string `json:"tagPatternList,omitempty"`
	TagPrefixList  []string `json:"tagPrefixList,omitempty"`
	StorageClass   string   `json:"storageClass,omitempty"`
	CountType      string   `json:"countType"`
	CountUnit      string   `json:"countUnit,omitempty"`
	CountNumber    int      `json:"countNumber"`
}

type action struct {
	Type               string `json:"type"`
	TargetStorageClass string `json:"targetStorageClass,omitempty"`
}

// Render returns the lifecycle policy text for rules, which must each have
// exactly one selector and one action (the compiler's retention-rule check
// guarantees it). Limits are not checked here; see Length and MaxRules.
func Render(rules []*model.RetentionRule) ([]byte, error) {
	p := policy{Rules: make([]rule, 0, len(rules))}
	for i, r := range rules {
		sel, err := selectionOf(r)
		if err != nil {
			return nil, fmt.Errorf("retention rule %d: %w", i+1, err)
		}
		act, err := actionOf(r, &sel)
		if err != nil {
			return nil, fmt.Errorf("retention rule %d: %w", i+1, err)
		}
		desc := r.Description
		if desc == "" {
			desc = DefaultDescription(r)
		}
		p.Rules = append(p.Rules, rule{RulePriority: i + 1, Description: desc, Selection: sel, Action: act})
	}
	// An Encoder that indents grows the indented text in a buffer of its
	// own and then copies it; json.Indent writes it once, into a buffer
	// sized from the compact text.
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	var text bytes.Buffer
	if err := json.Indent(&text, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	return text.Bytes(), nil
}

// Length is the length of a policy text as ECR's quota counts it: in
// UTF-16 code units, the characters of the Java strings ECR's API handles.
// A character outside the Basic Multilingual Plane counts twice, which is
// never less than any other way of counting characters.
func Length(text []byte) int {
	n := 0
	for len(text) > 0 {
		r, size := utf8.DecodeRune(text)
		n += utf16.RuneLen(r)
		text = text[size:]
	}
	return n
}

// StorageClass is the storage class whose images a rule acts on: archive
// for expireArchivedAfterDays, standard otherwise.
func StorageClass(r *model.RetentionRule) string {
	if r.ExpireArchivedAfterDays > 0 {
		return Archive
	}
	return Standard
}

func selectionOf(r *model.RetentionRule) (selection, error) {
	var s selection
	n := 0
	if len(r.TagPatterns) > 0 {
		s.TagStatus, s.TagPatternList = "tagged", r.TagPatterns
		n++
	}
	if len(r.TagPrefixes) > 0 {
		s.TagStatus, s.TagPrefixList = "tagged", r.TagPrefixes
		n++
	}
	if r.Untagged {
		s.TagStatus = "untagged"
		n++
	}
	if r.Any {
		s.TagStatus = "any"
		n++
	}
	if n != 1 {
		return s, fmt.Errorf("selects images %d ways, want exactly one of tagPatterns, tagPrefixes, untagged, any", n)
	}
	return s, nil
}

// actionOf returns the rule's action and completes the selection's count.
func actionOf(r *model.RetentionRule, s *selection) (action, error) {
	var a action
	n := 0
	if r.Keep > 0 {
		s.CountType, s.CountNumber = "imageCountMoreThan", r.Keep
		a.Type = "expire"
		n++
	}
	if r.ExpireAfterDays > 0 {
		s.CountType, s.CountUnit, s.CountNumber = "sinceImagePushed", "days", r.ExpireAfterDays
		a.Type = "expire"
		n++
	}
	if r.ArchiveAfterUnpulledDays > 0 {
		s.CountType, s.CountUnit, s.CountNumber = "sinceImagePulled", "days", r.ArchiveAfterUnpulledDays
		a = action{Type: "transition", TargetStorageClass: Archive}
		n++
	}
	if r.ExpireArchivedAfterDays > 0 {
		s.StorageClass = Archive
		s.CountType, s.CountUnit, s.CountNumber = "sinceImageTransitioned", "days", r.ExpireArchivedAfterDays
		a.Type = "expire"
		n++
	}
	if n != 1 {
		return a, fmt.Errorf("has %d actions, want exactly one of keep, expireAfterDays, archiveAfterUnpulledDays, expireArchivedAfterDays", n)
	}
	return a, nil
}
