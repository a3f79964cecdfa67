package fileset

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzManifest feeds arbitrary bytes to the manifest reader: it never
// panics, and whatever it accepts encodes back to a manifest it reads the
// same way. Where the direct layout reader accepts the bytes, it reads
// what encoding/json reads.
func FuzzManifest(f *testing.F) {
	f.Add([]byte(`{"generator": "0.1.0", "specHash": "sha256:` + string(bytes.Repeat([]byte("a"), 64)) + `", "files": [{"path": "a.yml", "target": "github", "sha256": "` + string(bytes.Repeat([]byte("b"), 64)) + `"}]}`))
	f.Add([]byte(`{"generator": "0.1.0", "specHash": "sha256:` + string(bytes.Repeat([]byte("a"), 64)) + `", "targets": {"github": "sha256:` + string(bytes.Repeat([]byte("c"), 64)) + `"}, "files": []}`))
	f.Add([]byte(`{"generator": "x", "files": [{"path": "../etc/passwd"}]}`))
	f.Add([]byte(`{"files": null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if layout, ok := parseManifestLayout(data); ok {
			var viaJSON Manifest
			if err := json.Unmarshal(data, &viaJSON); err != nil {
				t.Fatalf("the layout reader accepted what encoding/json refuses: %v", err)
			}
			if viaJSON.Files == nil {
				viaJSON.Files = []ManifestFile{}
			}
			if !reflect.DeepEqual(&viaJSON, layout) {
				t.Fatalf("the layout reader read %+v, encoding/json %+v", layout, viaJSON)
			}
		}
		m, err := decodeManifest(data)
		if err != nil {
			return
		}
		again, err := decodeManifest(EncodeManifest(m))
		if err != nil {
			t.Fatalf("an accepted manifest does not read back: %v", err)
		}
		if !bytes.Equal(EncodeManifest(again), EncodeManifest(m)) {
			t.Fatal("manifest round trip changed it")
		}
	})
}
