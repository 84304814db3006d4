// Package scalebench holds the benchmarks of oauthcompat at scale (build
// tag scale, run by "make bench-scale"): each generates the recording it
// needs, 200,000 interactions by default, in a temporary directory, and
// reports the time to stop a recording appending to it, the time to be
// ready to replay it and the memory that takes, the lookup time, and the
// throughput and peak memory of lint, diff and upgrade-check over it.
package scalebench
