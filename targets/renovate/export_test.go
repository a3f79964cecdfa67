package renovate

// OutputGlobs exposes outputGlobs to the external tests.
var OutputGlobs = outputGlobs
