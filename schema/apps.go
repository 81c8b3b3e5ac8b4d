package schema

// Apps, following Retell's create-app and update-app bodies, AppResponse,
// AppUsageResponse and the get-app-tool-schema body.

var appType = enum("crm", "calendar", "knowledge_base", "support", "communication").named("AppType").
	about("The kind of system the app connects to.")

// secret is a credential: accepted, never stored or answered.
func secret(desc string) *rule {
	return str().length(1, 0).about(desc + " Write-only: agentry never stores or answers it.")
}

var authConfigRequest = tagged("type",
	object("OAuthConfigRequest", props{
		"type":          enum("oauth2"),
		"client_id":     str().length(1, 0),
		"client_secret": secret("The OAuth client secret."),
	}, "type", "client_id", "client_secret"),
	object("ApiKeyAuthConfigRequest", props{
		"type":    enum("api_key"),
		"api_key": secret("The API key."),
	}, "type", "api_key"),
	object("BasicAuthConfigRequest", props{
		"type":     enum("basic"),
		"username": str().length(1, 0),
		"password": secret("The password."),
	}, "type", "username", "password"),
).named("AuthConfigRequest").about("Credentials for the provider.")

var crmSyncMapping = object("CRMSyncMapping", props{
	"field_name":          str().about("A contact field."),
	"external_field_name": str().about("The field of the CRM's contact it maps to."),
}, "field_name", "external_field_name")

var appCRMConfig = object("AppCRMConfig", props{
	"inbound_sync_mappings": array(ref(crmSyncMapping)).count(0, 200).
		about("Mappings from CRM records to contacts; must include phone_number."),
	"outbound_sync_mappings":     array(ref(crmSyncMapping)).count(0, 200),
	"sync_conversation_activity": boolean(),
	"sync_new_contacts":          boolean(),
}).about("How the app's CRM syncs with contacts.")

var appEditable = props{
	"name":        str(),
	"tenant_url":  str().about("The tenant's API base URL."),
	"tenant_id":   str().about("The sub-account id, for providers that scope by one."),
	"auth_config": authConfigRequest,
	"crm_config":  ref(appCRMConfig),
}

// CreateApp is the body of create-app.
var CreateApp = object("CreateAppRequest", withProps(appEditable, props{
	"type":     appType,
	"provider": str().length(1, 0).about("The provider's name, such as hubspot."),
}), "type", "provider").about("Connects a system that app tools run against.")

// UpdateApp is the body of update-app: the fields it sends change.
var UpdateApp = object("UpdateAppRequest", appEditable).about("Changes the fields it sends.")

// AppResponse is a stored app. Its auth_config shows no secret.
var AppResponse = object("AppResponse", props{
	"app_id":            str(),
	"org_id":            str().about("The workspace's id."),
	"type":              appType,
	"provider":          str(),
	"connection_status": enum("not_connected", "connected", "error").named("AppConnectionStatus"),
	"name":              str(),
	"tenant_url":        str(),
	"tenant_type":       enum("business", "personal"),
	"tenant_id":         str(),
	"auth_config": tagged("type",
		object("OAuthConfigResponse", props{"type": enum("oauth2"), "client_id": str()}, "type", "client_id"),
		object("ApiKeyAuthConfigResponse", props{"type": enum("api_key")}, "type"),
		object("AccessTokenAuthConfigResponse", props{"type": enum("access_token")}, "type"),
		object("BasicAuthConfigResponse", props{"type": enum("basic"), "username": str()}, "type", "username"),
		object("RefreshTokenAuthConfigResponse", props{"type": enum("refresh_token")}, "type"),
	).named("AppAuthConfigResponse").about("The credentials' type and identifiers; never a secret."),
	"crm_config":              ref(appCRMConfig),
	"created_timestamp":       integer().about("Milliseconds since the epoch."),
	"user_modified_timestamp": integer().about("Milliseconds since the epoch."),
}, "app_id", "org_id", "type", "provider", "created_timestamp", "user_modified_timestamp").about("An app.")

// AppUsage is one item of list-app-usages.
var AppUsage = tagged("type",
	object("AgentAppUsage", props{
		"type":                 enum("agent"),
		"agent_id":             str(),
		"agent_name":           str(),
		"agent_versions":       array(integer()).about("The versions whose app tools use the app, largest first."),
		"configured_timestamp": integer().about("The last change to a version through which the agent uses the app."),
	}, "type", "agent_id", "agent_versions", "configured_timestamp"),
	object("KnowledgeBaseAppUsage", props{
		"type":                 enum("knowledge_base"),
		"knowledge_base_id":    str(),
		"knowledge_base_name":  str(),
		"configured_timestamp": integer(),
	}, "type", "knowledge_base_id", "configured_timestamp"),
).named("AppUsageResponse")

// AppUsagePage is the answer of list-app-usages.
var AppUsagePage = object("AppUsageListResponse", props{
	"items":          array(AppUsage),
	"has_more":       boolean(),
	"pagination_key": str().about("Pass back to get the next page; absent on the last page."),
}, "items", "has_more")

// GetAppToolSchema is the body of get-app-tool-schema.
var GetAppToolSchema = object("GetAppToolSchemaRequest", props{
	"app_tool_template_name": str().length(1, 0).about("The app tool template."),
	"parameters":             array(ref(toolParameter)).count(0, 5).about("The input parameters resolved so far."),
}, "app_tool_template_name").about("One round of an app tool template's schema.")

// AppToolSchemaResponse is the answer of get-app-tool-schema.
var AppToolSchemaResponse = object("AppToolSchemaResponse", props{
	"complete":        boolean(),
	"input_schema":    ref(toolParameter),
	"response_schema": ref(toolParameter),
}, "complete")
