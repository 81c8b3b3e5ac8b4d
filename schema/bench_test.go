package schema_test

import (
	"testing"

	"github.com/agentry/agentry/schema"
)

// fullAgent is a create-agent body of about 1.5 KB, like the configurations
// the load harness (bench/) stores.
var fullAgent = []byte(`{
 "agent_name": "Front desk 42",
 "voice_id": "11labs-Adrian",
 "fallback_voice_ids": ["openai-Alloy", "deepgram-Angus"],
 "voice_temperature": 0.9,
 "voice_speed": 0.95,
 "volume": 1.1,
 "responsiveness": 0.8,
 "interruption_sensitivity": 0.7,
 "enable_backchannel": true,
 "backchannel_frequency": 0.6,
 "backchannel_words": ["yeah", "uh-huh", "I see", "right"],
 "reminder_trigger_ms": 10000,
 "reminder_max_count": 2,
 "ambient_sound": "coffee-shop",
 "ambient_sound_volume": 0.4,
 "language": "en-US",
 "webhook_url": "https://hooks.example.com/retell/agent-42",
 "webhook_timeout_ms": 10000,
 "boosted_keywords": ["Acme", "Northwind", "appointment", "reschedule", "invoice", "warranty"],
 "data_storage_setting": "everything_except_pii",
 "opt_in_signed_url": false,
 "pronunciation_dictionary": [
  {"word": "Acme", "alphabet": "ipa", "phoneme": "ˈækmi"},
  {"word": "Northwind", "alphabet": "cmu", "phoneme": "N AO1 R TH W IH0 N D"}
 ],
 "enable_dnc_detection": true,
 "end_call_after_silence_ms": 600000,
 "max_call_duration_ms": 3600000,
 "voicemail_option": {"action": {"type": "static_text", "text": "Hi, this is the front desk of Acme returning your call. Please call us back."}},
 "begin_message_delay_ms": 200,
 "ring_duration_ms": 30000,
 "stt_mode": "accurate",
 "vocab_specialization": "general",
 "allow_user_dtmf": true,
 "user_dtmf_options": {"digit_limit": 6, "termination_key": "#", "timeout_ms": 5000},
 "response_engine": {"type": "custom-llm", "llm_websocket_url": "wss://llm.example.com/agents/42"}
}`)

func BenchmarkDecodeObject(b *testing.B) {
	b.SetBytes(int64(len(fullAgent)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := schema.DecodeObject(fullAgent); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateVoiceAgent(b *testing.B) {
	fields, err := schema.DecodeObject(fullAgent)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(fullAgent)))
	b.ReportAllocs()
	for b.Loop() {
		if err := schema.VoiceAgent.Validate(fields, schema.Create); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeValidatePatch is what update-agent spends on a small PATCH.
func BenchmarkDecodeValidatePatch(b *testing.B) {
	body := []byte(`{"voice_speed":1.05,"begin_message_delay_ms":300}`)
	b.ReportAllocs()
	for b.Loop() {
		fields, err := schema.DecodeObject(body)
		if err != nil {
			b.Fatal(err)
		}
		if err := schema.VoiceAgent.Validate(fields, schema.Update); err != nil {
			b.Fatal(err)
		}
	}
}
