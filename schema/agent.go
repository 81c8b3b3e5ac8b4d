package schema

// The configuration of a voice agent. Field names, types, enums, bounds and
// nullability follow Retell's AgentRequest; the bounds that the reference
// states only in prose are listed in README.md.

var locales = []string{
	"en-US", "en-IN", "en-GB", "en-AU", "en-NZ", "de-DE", "es-ES", "es-419", "hi-IN", "fr-FR",
	"fr-CA", "ja-JP", "pt-PT", "pt-BR", "zh-CN", "ru-RU", "it-IT", "ko-KR", "nl-NL", "nl-BE",
	"pl-PL", "tr-TR", "vi-VN", "ro-RO", "bg-BG", "ca-ES", "th-TH", "da-DK", "fi-FI", "el-GR",
	"hu-HU", "id-ID", "no-NO", "sk-SK", "sv-SE", "lt-LT", "lv-LV", "cs-CZ", "ms-MY", "af-ZA",
	"ar-SA", "az-AZ", "bs-BA", "cy-GB", "fa-IR", "fil-PH", "gl-ES", "he-IL", "hr-HR", "hy-AM",
	"is-IS", "kk-KZ", "kn-IN", "mk-MK", "mr-IN", "ne-NP", "sl-SI", "sr-RS", "sw-KE", "ta-IN",
	"ur-IN", "yue-CN", "uk-UA",
}

var llmModels = []string{
	"gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5.1",
	"gpt-5.2", "gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano", "gpt-5.5", "gpt-5.6-terra",
	"gpt-5.6-luna", "gpt-6-astra", "gpt-6-sol", "gpt-6.1-sol", "gpt-6-luna", "claude-4.5-sonnet",
	"claude-4.6-sonnet", "claude-5-opus", "claude-5.5-opus", "claude-5-sonnet",
	"claude-5.5-sonnet", "claude-4.5-haiku", "gemini-3.0-flash", "gemini-3.1-flash-lite",
	"gemini-3.5-flash", "gemini-3.5-flash-lite", "gemini-3.6-flash", "gemini-3.7-flash",
	"gemini-3.8-flash",
}

var language = enum(locales...).named("Language").about("A locale the agent speaks and understands.")

// agentLanguage is the language field of voice and chat agents.
var agentLanguage = union(language, array(language),
	enum("multi").old().about("Deprecated; stands for a fixed set of ten locales.")).
	about("One locale, or an array of locales for a multilingual agent.")

// engineVersion pins a response engine version; null follows the latest.
var engineVersion = versionNumber().null()

var responseEngine = tagged("type",
	object("ResponseEngineRetellLlm", props{
		"type":    enum("retell-llm"),
		"llm_id":  str(),
		"version": engineVersion,
	}, "type", "llm_id").about("Answers with a Retell LLM."),
	object("ResponseEngineCustomLlm", props{
		"type":              enum("custom-llm"),
		"llm_websocket_url": str(),
	}, "type", "llm_websocket_url").about("Answers through the caller's own LLM over a WebSocket."),
	object("ResponseEngineConversationFlow", props{
		"type":                 enum("conversation-flow"),
		"conversation_flow_id": str(),
		"version":              engineVersion,
	}, "type", "conversation_flow_id").about("Answers by following a conversation flow."),
).named("ResponseEngine")

var voicemailAction = tagged("type",
	object("VoicemailActionPrompt", props{"type": enum("prompt"), "text": str()}, "type", "text"),
	object("VoicemailActionStaticText", props{"type": enum("static_text"), "text": str()}, "type", "text"),
	object("VoicemailActionHangup", props{"type": enum("hangup")}, "type"),
	object("VoicemailActionBridgeTransfer", props{"type": enum("bridge_transfer")}, "type"),
).named("VoicemailAction")

var ivrAction = tagged("type",
	object("IvrActionHangup", props{"type": enum("hangup")}, "type"),
).named("IvrAction")

// detectionPrompt optionally redefines what counts as voicemail or an IVR.
var detectionPrompt = str().length(0, 2000).null()

var callScreeningOption = object("CallScreeningOption", props{
	"agent_identity": str().length(1, 100),
	"call_purpose":   str().length(1, 300),
}, "agent_identity", "call_purpose").about("What the agent says when a call screen asks who is calling and why.").sealed()

var piiConfig = object("PIIConfig", props{
	"mode": enum("post_call"),
	"categories": array(enum("person_name", "address", "email", "phone_number", "ssn",
		"passport", "driver_license", "credit_card", "bank_account", "password", "pin",
		"medical_id", "date_of_birth", "customer_account_number")).distinct(),
}, "mode", "categories").about("Which kinds of personal data to scrub after a call.")

var guardrailConfig = object("GuardrailConfig", props{
	"output_topics": array(enum("harassment", "self_harm", "sexual_exploitation", "violence",
		"defense_and_national_security", "illicit_and_harmful_activity", "gambling",
		"regulated_professional_advice", "child_safety_and_exploitation")).distinct().null(),
	"input_topics": array(enum("platform_integrity_jailbreaking")).distinct().null(),
}).about("Topics the agent must not say, or must refuse to take up.")

var voiceHandbookConfig = object("VoiceHandbookConfig", props{
	"default_personality":        boolean(),
	"conversational_personality": boolean(),
	"natural_filler_words":       boolean(),
	"high_empathy":               boolean(),
	"echo_verification":          boolean(),
	"nato_phonetic_alphabet":     boolean(),
	"speech_normalization":       boolean(),
	"smart_matching":             boolean(),
	"ai_disclosure":              boolean(),
	"scope_boundaries":           boolean(),
}).about("Behaviour presets, each switched on or off.")

var contactMemoryConfig = object("ContactMemoryConfig", props{
	"enable_update": boolean(),
	"enable_read":   boolean(),
}).about("Contact memory switches; an update changes only the flags it sends.").sealed()

var asrProviders = []string{"azure", "deepgram", "soniox", "assemblyai", "muse"}

// VoiceAgent is the configuration of a voice agent version, as accepted by
// create-agent (Create) and update-agent (Update).
var VoiceAgent = object("AgentRequest", props{
	"response_engine":     responseEngine,
	"agent_name":          str().null(),
	"version_title":       str().null(),
	"version_description": str().null(),
	"voice_id":            str(),
	"voice_model": enum("eleven_flash_v2", "eleven_flash_v2_5", "eleven_multilingual_v2",
		"eleven_v3", "eleven_v4_turbo", "sonic-3", "sonic-3-latest", "sonic-3.5", "sonic-3.6",
		"tts-1", "gpt-4o-mini-tts", "speech-02-turbo", "speech-2.8-turbo", "s1", "s2-pro",
		"s2.1-pro", "inworld-tts-2", "inworld-tts-2-flash").null(),
	"fallback_voice_ids":            array(str()).null(),
	"voice_temperature":             number().between(0, 2),
	"voice_speed":                   number().between(0.5, 2),
	"enable_dynamic_voice_speed":    boolean(),
	"enable_dynamic_responsiveness": boolean(),
	"volume":                        number().between(0, 2),
	"enable_expressive_mode":        boolean(),
	"expressive_emotion_tags": array(enum("empathetic", "excited", "happy", "curious",
		"surprised", "sigh", "clear throat", "pause", "long pause", "emphasis")).distinct(),
	"expressive_mode_prompt":   str().null(),
	"responsiveness":           number().between(0, 1),
	"interruption_sensitivity": number().between(0, 1),
	"enable_backchannel":       boolean(),
	"backchannel_frequency":    number().between(0, 1),
	"backchannel_words":        array(str()).null(),
	"reminder_trigger_ms":      number().above(0),
	"reminder_max_count":       integer().atLeast(0),
	"ambient_sound": enum("coffee-shop", "convention-hall", "summer-outdoor",
		"mountain-outdoor", "static-noise", "call-center").null(),
	"ambient_sound_volume": number().between(0, 2),
	"language":             agentLanguage,
	"webhook_url":          str().null(),
	"webhook_events": array(enum("call_started", "call_ended", "call_analyzed",
		"transcript_updated", "transfer_started", "transfer_bridged", "transfer_cancelled",
		"transfer_ended")).null(),
	"webhook_timeout_ms":    integer(),
	"boosted_keywords":      array(str()).null(),
	"contact_memory_config": ref(contactMemoryConfig),
	"data_storage_setting": enum("everything", "everything_except_pii",
		"basic_attributes_only"),
	"data_storage_retention_days": integer().between(1, 730).null(),
	"opt_in_signed_url":           boolean(),
	"signed_url_expiration_ms":    integer().null(),
	"pronunciation_dictionary": array(ref(object("", props{
		"word":     str(),
		"alphabet": enum("ipa", "cmu", "pinyin", "jyutping"),
		"phoneme":  str(),
	}, "word", "alphabet", "phoneme"))).null(),
	"enable_dnc_detection":      boolean(),
	"end_call_after_silence_ms": integer().atLeast(10000),
	"max_call_duration_ms":      integer().between(60000, 7200000),
	"voicemail_option": ref(object("", props{
		"action":           voicemailAction,
		"detection_prompt": detectionPrompt,
	}, "action")).null().about("Voicemail detection and what to do on voicemail; null turns it off."),
	"ivr_option": ref(object("", props{
		"action":           ivrAction,
		"detection_prompt": detectionPrompt,
	}, "action")).null().about("IVR detection and what to do on an IVR; null turns it off."),
	"call_screening_option":    ref(callScreeningOption).null(),
	"post_call_analysis_data":  array(postCallAnalysisData).null(),
	"post_call_analysis_model": enum(llmModels...).null(),
	"begin_message_delay_ms":   integer().between(0, 5000),
	"ring_duration_ms":         integer().between(5000, 300000),
	"stt_mode":                 enum("fast", "accurate", "custom"),
	"custom_stt_config": ref(object("", props{
		"provider":       enum(asrProviders...),
		"endpointing_ms": integer(),
	}, "provider", "endpointing_ms")).null(),
	"vocab_specialization":    enum("general", "medical"),
	"allow_user_dtmf":         boolean(),
	"allow_dtmf_interruption": boolean(),
	"user_dtmf_options": ref(object("", props{
		"digit_limit":     number().between(1, 50).null(),
		"termination_key": str().match(`^[0-9#*]$`).null(),
		"timeout_ms":      integer().between(1000, 15000),
	})).null(),
	"denoising_mode": enum("no-denoise", "noise-cancellation",
		"noise-and-background-speech-cancellation"),
	"pii_config":         ref(piiConfig),
	"guardrail_config":   ref(guardrailConfig),
	"handbook_config":    ref(voiceHandbookConfig),
	"timezone":           str().null(),
	"pre_session_tools":  array(preSessionTool).count(0, 15).null(),
	"post_session_tools": array(postSessionTool).count(0, 15).null(),
}, "response_engine", "voice_id").about("The configuration of a voice agent.").configuration()
