package schema

// Phone numbers: the request bodies of create-phone-number,
// import-phone-number and update-phone-number, and PhoneNumberResponse, as
// the reference and retell-sdk 5.66.1 define them. Rules the reference
// states only in prose (E.164 numbers, transport TLS/TCP/UDP, weights that
// add up to 1, area codes, country codes) are applied by the service, which
// names the field in its message.

// agentVersionRef is a version reference as a phone number binds it: a
// number, latest, latest_published or a tag name (the reference's pattern
// also excludes v followed by digits, with a lookahead Go's regexp lacks;
// the service refuses those).
var agentVersionRef = union(
	str().length(1, 20).match(`^(latest|latest_published|[a-z][a-z0-9_-]{0,19})$`),
	integer().atLeast(0),
)

// AgentWeight is one entry of a binding list.
var AgentWeight = object("AgentWeight", props{
	"agent_id":      str().length(1, 0),
	"agent_version": agentVersionRef.about("A version number, latest, latest_published or a tag; absent means latest."),
	"weight":        number().between(0, 1).above(0).about("The entry's share of the traffic; the weights of a list add up to 1."),
}, "agent_id", "weight")

func bindingList(what string) *rule {
	return array(ref(AgentWeight)).null().about("Agents bound for " + what + ", with weights that add up to 1; null or [] binds none.")
}

var countryList = array(str()).null().about("ISO 3166-1 alpha-2 country codes; empty or null allows all.")

// singleAgent are retell-sdk 4.x's single-agent fields of a phone number:
// one agent and its version per direction of calls, where the current API
// has weighted lists. The reference no longer lists them; agentry takes them
// in every mode, as a one-entry list of weight 1, and answers them as the
// heaviest entry of each list (docs/API.md, "Retell SDK 4.x").
func singleAgent(p props) props {
	for _, d := range []string{"inbound", "outbound"} {
		p[d+"_agent_id"] = str().length(1, 0).null().old().
			about("retell-sdk 4.x: the one agent for " + d + " calls; use " + d + "_agents. Sets " + d + "_agents to this agent, weight 1; null clears it.")
		p[d+"_agent_version"] = versionNumber().null().old().
			about("retell-sdk 4.x: the version of " + d + "_agent_id; absent or null means latest. Use " + d + "_agents.")
	}
	return p
}

// singleAgentAnswer are the single-agent fields of an answer: the agent of
// the heaviest entry of each list and the version it names now.
func singleAgentAnswer(p props) props {
	for _, d := range []string{"inbound", "outbound"} {
		p[d+"_agent_id"] = str().old().
			about("retell-sdk 4.x: the agent of the heaviest entry of " + d + "_agents (the first of equals); absent when the list is empty.")
		p[d+"_agent_version"] = integer().old().
			about("retell-sdk 4.x: the version that entry names now; absent when it names latest.")
	}
	return p
}

// CreatePhoneNumber is the body of create-phone-number.
var CreatePhoneNumber = object("CreatePhoneNumberRequest", singleAgent(props{
	"inbound_agents":                bindingList("inbound calls"),
	"outbound_agents":               bindingList("outbound calls"),
	"area_code":                     integer().about("The 3-digit area code of the number to obtain."),
	"nickname":                      str(),
	"inbound_webhook_url":           str().null(),
	"allowed_inbound_country_list":  countryList,
	"allowed_outbound_country_list": countryList,
	"number_provider":               enum("twilio", "telnyx"),
	"country_code":                  enum("US", "CA"),
	"toll_free":                     boolean(),
	"phone_number":                  str().length(1, 0).about("A specific number to obtain, in E.164 form."),
	"transport":                     str().null().about("TLS, TCP or UDP; absent means TCP."),
	"fallback_number":               str().null(),
}))

// ImportPhoneNumber is the body of import-phone-number.
var ImportPhoneNumber = object("ImportPhoneNumberRequest", singleAgent(props{
	"phone_number":                  str().length(1, 0),
	"ignore_e164_validation":        boolean().about("Skip the E.164 check of phone_number; absent means true."),
	"termination_uri":               str(),
	"sip_trunk_auth_username":       str(),
	"sip_trunk_auth_password":       str(),
	"inbound_agents":                bindingList("inbound calls"),
	"outbound_agents":               bindingList("outbound calls"),
	"nickname":                      str(),
	"inbound_webhook_url":           str().null(),
	"allowed_inbound_country_list":  countryList,
	"allowed_outbound_country_list": countryList,
	"transport":                     str().null(),
}), "phone_number", "termination_uri")

// UpdatePhoneNumber is the body of update-phone-number (a patch).
var UpdatePhoneNumber = object("UpdatePhoneNumberRequest", singleAgent(props{
	"inbound_agents":                bindingList("inbound calls"),
	"outbound_agents":               bindingList("outbound calls"),
	"inbound_sms_agents":            bindingList("inbound SMS"),
	"outbound_sms_agents":           bindingList("outbound SMS"),
	"nickname":                      str().null(),
	"inbound_webhook_url":           str().null(),
	"inbound_sms_webhook_url":       str().null(),
	"allowed_inbound_country_list":  countryList,
	"allowed_outbound_country_list": countryList,
	"termination_uri":               str(),
	"auth_username":                 str(),
	"auth_password":                 str(),
	"transport":                     str().null(),
	"fallback_number":               str().null(),
}))

// PhoneNumberResponse is a phone number as every phone endpoint answers it.
var PhoneNumberResponse = object("PhoneNumberResponse", singleAgentAnswer(props{
	"phone_number":                  str().about("The number, the identifier of the phone number endpoints."),
	"phone_number_type":             enum("retell-twilio", "retell-telnyx", "custom"),
	"phone_number_pretty":           str(),
	"allowed_inbound_country_list":  countryList,
	"allowed_outbound_country_list": countryList,
	"area_code":                     integer(),
	"inbound_agents":                bindingList("inbound calls"),
	"outbound_agents":               bindingList("outbound calls"),
	"inbound_sms_agents":            bindingList("inbound SMS"),
	"outbound_sms_agents":           bindingList("outbound SMS"),
	"nickname":                      str().null(),
	"inbound_webhook_url":           str().null(),
	"inbound_sms_webhook_url":       str().null(),
	"last_modification_timestamp":   integer().about("Milliseconds since the epoch."),
	"sip_outbound_trunk_config": ref(object("", props{
		"termination_uri": str().null(),
		"auth_username":   str().null(),
		"transport":       str().null(),
	})).null(),
	"fallback_number": str().null(),
}), "phone_number", "phone_number_type", "last_modification_timestamp")
