// Package cassettes owns the cassette files oauthcompat writes and reads:
// go-vcr v3 cassettes (YAML, "version: 2"), so any Go project can replay
// them with plain go-vcr.
//
// # Overview
//
// A recording writes through a [Store]. [Store.Add] redacts an interaction
// (the only place where redaction for disk happens) and appends it to a
// journal next to its cassette, DIR/<version>/<name>.yaml.journal, and
// returns once the record is written there: from then on a crash of the
// process, SIGKILL included, cannot lose it. A background goroutine
// fdatasyncs the journal behind the writes, at most once per
// [Options.SyncInterval] (an operating-system crash or power loss loses at
// most that interval's records), which keeps the fsync off the response
// path; with [Options.SyncEach], Add waits for the sync that covers its
// record instead (group commit). Nothing grows in memory. [Store.Close] turns each
// journal into its cassette: a new cassette is written atomically
// (temporary file in the same directory, fsync, rename, fsync of the
// directory); a cassette already there is appended to in place, so that
// stopping costs what this recording weighs, not what the cassette does.
// An append mark (<journal>.append, synced before the append) lets a
// recovery after a crash mid-append cut the torn append off and make it
// again; the cassette is a valid go-vcr cassette after every completed
// append.
//
// Nothing is lost silently. [OpenStore] takes the lock DIR/.<name>.lock
// (a second store of the same directory and name is [ErrBusy]) and checks
// that what it will write can be written ([ErrNotWritable]). A record that
// cannot be written (the disk is full) is undone and its Add fails, for
// the caller to report; the journal stays usable. The room made ahead of a
// journal is best effort. A journal whose directory is removed while
// recording is merged from its open file into a re-created directory.
// What loses nothing yet but needs attention (the disk nearly full, a
// failed sync, a removed journal) goes to [Options.Logger] at once.
//
// A process killed mid-recording leaves its journal behind; [Recover] (run
// by [OpenStore] and by "oauthcompat cassette recover") turns every journal
// into a valid cassette. Every record with a valid checksum is kept: damaged
// bytes are skipped and reported ([Merged.Skipped]), recovery resumes at the
// next record, and the journal is kept as <journal>.damaged. [Leftovers]
// lists the journals among cassettes, and [Files] fails with
// [ErrUnrecovered] on a directory holding only journals.
//
// All writing goes through an [FS] ([OS] unless [Options.FS] says
// otherwise), so tests can make any write step fail.
//
// Each interaction's request carries the catalog operation it matched in
// the [OperationHeader] header, which go-vcr's loader keeps.
//
// # Usage
//
//	s, err := cassettes.OpenStore(dir, "session", redactor)
//	err = s.Add("ghes-3.8", interaction)
//	err = s.Close()
//	c, err := cassettes.Load(cassettes.Path(dir, "ghes-3.8", "session"))
package cassettes
