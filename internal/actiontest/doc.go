// Package actiontest runs the steps of the repository's GitHub Action
// (action.yml) on this machine as the runner would: the composite steps'
// scripts with their env evaluated, GITHUB_ACTIONS=true, a step summary
// file and output files, against reference servers on 127.0.0.1. It has
// tests only.
package actiontest
