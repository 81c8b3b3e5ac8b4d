package schema

// Voices: the answer of the voice endpoints and the bodies of
// clone-voice (multipart), add-community-voice and search-community-voice.

var voiceProviders = []string{"elevenlabs", "openai", "cartesia", "minimax", "fish_audio", "inworld", "platform"}

// VoiceResponse is a voice.
var VoiceResponse = object("VoiceResponse", props{
	"voice_id":          str(),
	"voice_name":        str(),
	"provider":          enum(voiceProviders...),
	"accent":            str(),
	"gender":            enum("male", "female"),
	"age":               str(),
	"preview_audio_url": str(),
}, "voice_id", "voice_name", "provider", "gender").about("A voice agents can speak with.")

// CloneVoice is the body of clone-voice.
var CloneVoice = object("CloneVoiceRequest", props{
	"files":          array(file()).count(0, 25).about("Audio samples, one part each: up to 25 (cartesia and minimax 1, inworld 3)."),
	"voice_name":     str().length(1, 200),
	"voice_provider": enum("elevenlabs", "cartesia", "minimax", "fish_audio", "platform", "inworld"),
}, "files", "voice_name", "voice_provider").about("A voice to clone from audio samples, as multipart/form-data.")

var communityProviders = []string{"elevenlabs", "cartesia", "minimax", "fish_audio", "inworld"}

// AddCommunityVoice is the body of add-community-voice.
var AddCommunityVoice = object("AddCommunityVoiceRequest", props{
	"voice_provider":    enum(communityProviders...).about("Absent means elevenlabs."),
	"provider_voice_id": str(),
	"voice_name":        str().length(1, 200),
	"public_user_id":    str().about("Required for elevenlabs: the user id of the voice's owner."),
}, "provider_voice_id", "voice_name")

// SearchCommunityVoice is the body of search-community-voice.
var SearchCommunityVoice = object("SearchCommunityVoiceRequest", props{
	"voice_provider": enum(communityProviders...),
	"search_query":   str().about("A case-insensitive part of a voice's name, description or provider voice id."),
}, "search_query")

// SearchCommunityVoiceResponse is the answer of search-community-voice.
var SearchCommunityVoiceResponse = object("SearchCommunityVoiceResponse", props{
	"voices": array(ref(object("", props{
		"provider_voice_id": str(),
		"name":              str(),
		"description":       str(),
		"public_user_id":    str(),
	}))),
}, "voices")
