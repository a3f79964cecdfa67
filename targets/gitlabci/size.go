package gitlabci

import "gopkg.in/yaml.v3"

// GitLab refuses a CI configuration file that is too large twice over
// (lib/gitlab/config/loader/yaml.rb): when the file has more bytes than
// max_yaml_size_bytes, and when the YAML, once parsed, takes more memory
// than that: the sum of ObjectSpace.memsize_of over every hash, array and
// string of the parsed document (Gitlab::Utils::DeepSize). The check runs
// on the file as written, before includes and extends are applied, so
// what templates hold is counted once. The default limit is 2 MiB since
// GitLab 17.3 (1 MiB before). The parsed size is the larger: every
// string, however short, is a Ruby object of 40 bytes or more, and every
// hash at least 168.
const maxYAMLSize = 2 << 20

// nodeSize estimates the memory GitLab's YAML loader counts for the
// document n: what Ruby's ObjectSpace.memsize_of reports for each object
// of the parsed document, summed, and an object met twice (through an
// alias) counted twice, as DeepSize does. The estimate is what Ruby 3.1
// reports, or what the variable-width allocation of Ruby 3.2 and later
// reports where that is larger, so that it errs on the large side. Render
// measures the tree it encodes; the tests hold that to the same estimate
// of the file read back, and that to Ruby's own count.
func nodeSize(n *yaml.Node) int {
	switch n.Kind {
	case yaml.DocumentNode:
		size := 0
		for _, c := range n.Content {
			size += nodeSize(c)
		}
		return size
	case yaml.AliasNode:
		return nodeSize(n.Alias)
	case yaml.MappingNode:
		size := rubyHash(len(n.Content) / 2)
		for _, c := range n.Content {
			size += nodeSize(c)
		}
		return size
	case yaml.SequenceNode:
		size := rubyArray(len(n.Content))
		for _, c := range n.Content {
			size += nodeSize(c)
		}
		return size
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float", "!!bool", "!!null":
			return 0 // immediate values: no memory of their own
		}
		return rubyString(len(n.Value))
	}
	return 0
}

// rubyString is the memsize of a string of n bytes. Ruby 3.1 embeds up to
// 23 bytes in its 40-byte object and allocates n+1 bytes beside it for
// longer ones. Ruby 3.2 and later embed a string in the smallest of the
// 40, 80, 160, 320 and 640-byte slots that holds its 24-byte header, the
// bytes and a terminating NUL.
func rubyString(n int) int {
	size := 40
	if n > 23 {
		size = 40 + n + 1
	}
	for _, slot := range []int{40, 80, 160, 320, 640} {
		if 24+n+1 <= slot {
			return max(size, slot)
		}
	}
	return size
}

// rubyHash is the memsize of a hash of k pairs: up to 8 in an array
// table, more in an st_table of at least 32 entries (24 bytes each, in a
// power of two) with twice as many bins of 1, 2 or 4 bytes. The 120
// bytes are what the 160-byte slot of a hash in Ruby 3.3 adds to the 40
// of Ruby 3.1.
func rubyHash(k int) int {
	if k <= 8 {
		return 168
	}
	capa := 32
	for capa < k {
		capa *= 2
	}
	bin := 1
	switch {
	case capa > 1<<15:
		bin = 4
	case capa > 1<<7:
		bin = 2
	}
	return 40 + 120 + 56 + 24*capa + 2*capa*bin
}

// rubyArray is the memsize of an array of n elements built by appending,
// as the YAML parser does: up to 3 embedded in the object, then a buffer
// of 20 pointers, growing by half again; above 20 the estimate takes the
// buffer at 1.5 n + 16.
func rubyArray(n int) int {
	switch {
	case n <= 3:
		return 40
	case n <= 20:
		return 40 + 8*20
	}
	return 40 + 8*(n+n/2+16)
}
