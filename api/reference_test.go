package api

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/agentry/agentry/internal/reference"
)

// notInReference are operations of the table that Retell's reference
// document does not list, and why.
var notInReference = map[string]string{
	"getAgentVersions":     "in the official SDK (client.agent.getVersions), not in the reference document",
	"getChatAgentVersions": "in the official SDK (client.chatAgent.getVersions), not in the reference document",
	"healthz":              "agentry's own",
	"readyz":               "agentry's own",
	"getOpenAPI":           "agentry's own",
	"getConsole":           "agentry's own: the web console's files, not an API operation",
	// retell-sdk 4.x's paths, which 5.x replaced (docs/API.md).
	"listAgentsLegacy":            "retell-sdk 4.x client.agent.list; 5.x: POST /v2/list-agents",
	"listChatAgentsLegacy":        "retell-sdk 4.x client.chatAgent.list; 5.x: POST /v2/list-agents",
	"listRetellLLMsLegacy":        "retell-sdk 4.x client.llm.list; 5.x: GET /v2/list-retell-llms",
	"listConversationFlowsLegacy": "retell-sdk 4.x client.conversationFlow.list; 5.x: GET /v2/list-conversation-flows",
	"publishAgent":                "retell-sdk 4.x client.agent.publish; 5.x: POST /publish-agent-version",
	"publishChatAgent":            "retell-sdk 4.x client.chatAgent.publish; 5.x: POST /publish-agent-version",
	// The unpaged 4.x lists of the objects versions point at.
	"listPhoneNumbersLegacy":               "retell-sdk 4.x client.phoneNumber.list; 5.x: GET /v2/list-phone-numbers",
	"listConversationFlowComponentsLegacy": "retell-sdk 4.x client.conversationFlowComponent.list; 5.x: GET /v2/list-conversation-flow-components",
}

// Each operation the reference lists has the reference's path, method,
// success status and not-found status: 404 where the reference documents a
// 404, otherwise the 422 of Retell's older endpoints.
func TestOperationsMatchTheReference(t *testing.T) {
	ref := reference.Spec(t)
	for _, op := range Operations {
		t.Run(op.ID, func(t *testing.T) {
			var theirs *openapi3.Operation
			if item := ref.Paths.Find(op.Path); item != nil {
				theirs = item.GetOperation(op.Method)
			}
			if theirs == nil {
				if _, ok := notInReference[op.ID]; !ok && !strings.HasPrefix(op.Path, "/agentry/") {
					t.Fatalf("%s %s is not in the reference; list it in notInReference with the reason", op.Method, op.Path)
				}
				return
			}
			if theirs.OperationID != "" && !strings.EqualFold(theirs.OperationID, op.ID) {
				t.Logf("reference names it %s", theirs.OperationID)
			}
			if theirs.Responses.Value(strconv.Itoa(op.Status)) == nil {
				t.Errorf("success status %d is not one the reference lists", op.Status)
			}
			if op.Missing == 0 {
				return
			}
			want := http.StatusUnprocessableEntity
			if theirs.Responses.Value("404") != nil {
				want = http.StatusNotFound
			}
			if op.Missing != want {
				t.Errorf("not-found status %d, the reference's is %d", op.Missing, want)
			}
		})
	}
}
