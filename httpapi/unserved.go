package httpapi

import (
	"fmt"
	"net/http"
)

// Retell's paths that agentry does not serve, on purpose: the media plane
// (placing and running calls and chats, and the data they produce) and
// contacts. They are not operations (the table lists what agentry serves),
// so a request for one lands in unrouted like any unknown path; it answers
// the same 404, with a message that says the path is Retell's and out of
// agentry's scope rather than "no such endpoint", so that a tool built on
// Retell's SDK (5.x, or 4.x with its older call and chat paths) shows its
// user why. docs/COVERAGE.md lists each of them with the reason; a test
// keeps the two lists alike.
var unservedAreas = []struct {
	area  string
	paths []string
}{
	{"Retell's call media plane (placing, streaming, controlling and analysing calls)", []string{
		"/create-batch-call", "/rerun-call-analysis/{call_id}", "/v2/create-phone-call", "/v3/create-web-call",
		"/v2/delete-call/{call_id}", "/v2/get-call/{call_id}", "/v2/listen-live-call/{call_id}",
		"/v2/take-over-live-call/{call_id}", "/v3/list-calls", "/v2/list-export-requests", "/v2/register-phone-call",
		"/v2/update-call/{call_id}", "/v2/update-live-call/{call_id}", "/v2/stop-call/{call_id}",
		// retell-sdk 4.x's paths, which 5.x moved to /v3.
		"/v2/create-web-call", "/v2/list-calls",
	}},
	{"Retell's chat media plane (running chats and completions)", []string{
		"/agent-playground-completion/{agent_id}", "/create-chat-completion", "/create-chat", "/create-sms-chat",
		"/delete-chat/{chat_id}", "/end-chat/{chat_id}", "/get-chat/{chat_id}", "/v3/list-chats",
		"/rerun-chat-analysis/{chat_id}", "/update-chat/{chat_id}",
		// retell-sdk 4.x's path, which 5.x moved to /v3/list-chats.
		"/list-chat",
	}},
	{"Retell's contacts and CRM data", []string{
		"/create-contact", "/upload-contact-import-file", "/create-contact-import", "/get-contact-import",
		"/get-contact/{contact_id}", "/get-contact-by-phone/{phone_number}", "/update-contact/{contact_id}",
		"/delete-contact/{contact_id}", "/list-contacts", "/list-contact-conversations/{contact_id}",
		"/get-crm-config", "/update-crm-config", "/run-sync-job", "/get-sync-job-status",
		"/backfill-contact-analysis-data", "/get-backfill-contact-job-status", "/get-crm-schema",
	}},
}

// unserved matches the paths of unservedAreas, whatever the method, and
// names each pattern's area.
var unserved, unservedArea = func() (*http.ServeMux, map[string]string) {
	mux, areas := http.NewServeMux(), map[string]string{}
	for _, a := range unservedAreas {
		for _, p := range a.paths {
			mux.Handle(p, http.NotFoundHandler())
			areas[p] = a.area
		}
	}
	return mux, areas
}()

// unservedMessage is the 404 message for a request to one of Retell's paths
// that agentry does not serve, or "" for any other path.
func unservedMessage(r *http.Request) string {
	probe := r.Clone(r.Context())
	probe.Host = ""
	_, pattern := unserved.Handler(probe)
	area, ok := unservedArea[pattern]
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s %s is %s, which agentry does not serve: agentry is the control plane (agents, their versions and what they point at); docs/COVERAGE.md lists what it serves",
		r.Method, r.URL.Path, area)
}
