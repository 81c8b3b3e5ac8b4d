// Package gitops keeps a workspace's configuration in files: it pulls
// agents, their response engines, tags, shared flow components, knowledge
// base metadata and phone numbers from a server that speaks Retell's API
// into a directory of YAML files, plans what applying a directory would
// change, and applies it. See docs/CONFIG-AS-CODE.md.
package gitops
