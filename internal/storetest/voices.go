package storetest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

var voiceAndAssetTests = []suiteTest{
	{"VoiceCatalogAndWorkspaceVoices", testVoices},
	{"VoiceRules", testVoiceRules},
	{"AssetsKept", testAssetsKept},
	{"AssetLinksChecked", testAssetLinksChecked},
	{"AccountAnswers", testAccountAnswers},
}

// wav is the start of a WAV file, enough to be recognized as audio.
var wav = []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00")

// png is the start of a PNG file.
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

func testVoices(t *testing.T, open Opener) {
	e := newEnv(t, open)
	other := e.as(mustWorkspace(t, e.store, "ws-b"))
	catalog := agentry.CatalogVoices()
	for _, id := range []string{"retell-Cimo", "11labs-Adrian", "openai-Alloy", "cartesia-Cimo", "minimax-Cimo"} {
		v, err := e.svc.GetVoice(e.ctx, e.caller(), id)
		if err != nil || v.ID != id || v.Provider == "" || (v.Gender != "male" && v.Gender != "female") {
			t.Errorf("catalog voice %s: %+v, %v", id, v, err)
		}
	}
	cloned, err := e.svc.CloneVoice(e.ctx, e.caller(), agentry.CloneVoiceRequest{Name: "Founder", Provider: "elevenlabs",
		Samples: []agentry.FileSource{{Name: "a.wav", Data: wav}, {Name: "b.mp3", ContentType: "audio/mpeg", Data: []byte("ID3\x04")}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cloned.ID, agentry.VoiceIDPrefix) || cloned.Provider != "elevenlabs" || cloned.Name != "Founder" || cloned.SampleCount != 2 {
		t.Errorf("cloned %+v", cloned)
	}
	e.clock.Advance(time.Millisecond) // voices list oldest first
	added, err := e.svc.AddCommunityVoice(e.ctx, e.caller(), agentry.AddCommunityVoiceRequest{
		ProviderVoiceID: "21m00Tcm4TlvDq8ikWAM", Name: "Rachel (ours)", PublicUserID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if added.Provider != "elevenlabs" || added.Gender != "female" || added.Accent != "American" || added.ProviderVoiceID != "21m00Tcm4TlvDq8ikWAM" {
		t.Errorf("added community voice %+v: provider defaults to elevenlabs, the library's fields are taken", added)
	}
	list, err := e.svc.ListVoices(e.ctx, e.caller())
	if err != nil || len(list) != len(catalog)+2 || list[len(catalog)].ID != cloned.ID || list[len(catalog)+1].ID != added.ID {
		t.Fatalf("ListVoices: %d voices, %v; want the catalog then the clone and the added voice", len(list), err)
	}
	got, err := e.svc.GetVoice(e.ctx, e.caller(), cloned.ID)
	if err != nil || got.Name != "Founder" || got.Origin != agentry.VoiceClone || got.SampleBytes != int64(len(wav)+4) {
		t.Errorf("GetVoice(clone) = %+v, %v", got, err)
	}
	// Another workspace sees the catalog only.
	_, err = e.svc.GetVoice(e.ctx, other, cloned.ID)
	wantCode(t, err, agentry.ENOTFOUND, cloned.ID)
	if theirs, _ := e.svc.ListVoices(e.ctx, other); len(theirs) != len(catalog) {
		t.Errorf("workspace B lists %d voices, want the %d of the catalog", len(theirs), len(catalog))
	}
	_, err = e.svc.GetVoice(e.ctx, e.caller(), "11labs-Nobody")
	wantCode(t, err, agentry.ENOTFOUND, "11labs-Nobody")

	if got := agentry.SearchCommunityVoices("RACH", ""); len(got) != 1 || got[0].ProviderVoiceID != "21m00Tcm4TlvDq8ikWAM" {
		t.Errorf("search by name: %+v", got)
	}
	if got := agentry.SearchCommunityVoices("american", "cartesia"); len(got) == 0 || got[0].Provider != "cartesia" {
		t.Errorf("search by description within a provider: %+v", got)
	}
	if got := agentry.SearchCommunityVoices("21m00Tcm4", "cartesia"); len(got) != 0 {
		t.Errorf("another provider's voice found: %+v", got)
	}
}

func testVoiceRules(t *testing.T, open Opener) {
	e := newEnv(t, open)
	_, err := e.svc.CloneVoice(e.ctx, e.caller(), agentry.CloneVoiceRequest{Name: "x", Provider: "elevenlabs"})
	wantCode(t, err, agentry.EINVALID, "files")
	_, err = e.svc.CloneVoice(e.ctx, e.caller(), agentry.CloneVoiceRequest{Name: "x", Provider: "cartesia",
		Samples: []agentry.FileSource{{Name: "a.wav", Data: wav}, {Name: "b.wav", Data: wav}}})
	wantCode(t, err, agentry.EINVALID, "cartesia takes at most 1")
	_, err = e.svc.CloneVoice(e.ctx, e.caller(), agentry.CloneVoiceRequest{Name: "x", Provider: "inworld",
		Samples: []agentry.FileSource{{Name: "a.wav", Data: wav}, {Name: "b.wav", Data: wav}, {Name: "c.wav", Data: wav}, {Name: "d.wav", Data: wav}}})
	wantCode(t, err, agentry.EINVALID, "inworld takes at most 3")
	_, err = e.svc.CloneVoice(e.ctx, e.caller(), agentry.CloneVoiceRequest{Name: "x", Provider: "elevenlabs",
		Samples: []agentry.FileSource{{Name: "notes.txt", ContentType: "text/plain", Data: []byte("hello")}}})
	wantCode(t, err, agentry.EINVALID, "files[0] (notes.txt): must be audio")
	_, err = e.svc.AddCommunityVoice(e.ctx, e.caller(), agentry.AddCommunityVoiceRequest{ProviderVoiceID: "abc", Name: "x"})
	wantCode(t, err, agentry.EINVALID, "public_user_id")
	v, err := e.svc.AddCommunityVoice(e.ctx, e.caller(), agentry.AddCommunityVoiceRequest{Provider: "cartesia", ProviderVoiceID: "not-in-the-library", Name: "x"})
	if err != nil || v.Provider != "cartesia" {
		t.Errorf("a provider voice agentry does not know is taken: %+v, %v", v, err)
	}
	list, _ := e.svc.ListVoices(e.ctx, e.caller())
	if n := len(list) - len(agentry.CatalogVoices()); n != 1 {
		t.Errorf("refused voices were stored: %d workspace voices, want 1", n)
	}
}

func testAssetsKept(t *testing.T, open Opener) {
	e := newEnv(t, open)
	other := e.as(mustWorkspace(t, e.store, "ws-b"))
	data := append(bytes.Clone(png), make([]byte, 1000)...)
	a, err := e.svc.CreateAsset(e.ctx, e.caller(), agentry.FileSource{Name: `C:\shots\logo.png`, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.ID, agentry.AssetIDPrefix) || a.FileName != "logo.png" || a.ContentType != "image/png" || a.Size != int64(len(data)) || a.CreatedAt != e.clock.Millis() {
		t.Errorf("created %+v", a)
	}
	got, err := e.svc.Asset(e.ctx, e.caller(), a.ID)
	if err != nil || !bytes.Equal(got.Content, data) || got.ContentType != "image/png" {
		t.Fatalf("Asset: %v, equal=%v", err, bytes.Equal(got.Content, data))
	}
	_, err = e.svc.Asset(e.ctx, other, a.ID)
	wantCode(t, err, agentry.ENOTFOUND, a.ID)
	for _, c := range []struct {
		f    agentry.FileSource
		code string
		word string
	}{
		{agentry.FileSource{Name: "x.exe", Data: []byte("MZ\x90\x00")}, agentry.EINVALID, "must be an image"},
		{agentry.FileSource{Name: "empty.mp3"}, agentry.EINVALID, "is empty"},
		{agentry.FileSource{Name: "big.wav", Data: make([]byte, agentry.MaxAssetBytes+1)}, agentry.ETOOLARGE, "10 MiB"},
	} {
		_, err := e.svc.CreateAsset(e.ctx, e.caller(), c.f)
		wantCode(t, err, c.code, c.word)
	}
	// Formats are told by declared type, extension or content.
	for _, c := range []struct {
		f    agentry.FileSource
		want string
	}{
		{agentry.FileSource{Name: "hold", ContentType: "audio/x-wav", Data: wav}, "audio/wav"},
		{agentry.FileSource{Name: "hold.flac", ContentType: "application/octet-stream", Data: []byte("fLaC")}, "audio/flac"},
		{agentry.FileSource{Name: "blob", Data: []byte("OggS\x00")}, "audio/ogg"},
	} {
		a, err := e.svc.CreateAsset(e.ctx, e.caller(), c.f)
		if err != nil || a.ContentType != c.want {
			t.Errorf("%s: %+v, %v; want %s", c.f.Name, a, err, c.want)
		}
	}
}

// testAssetLinksChecked: hold music must name an audio asset of the
// workspace, a note's image an image asset; on_hold_music custom needs one.
func testAssetLinksChecked(t *testing.T, open Opener) {
	e := newEnv(t, open)
	audio, err := e.svc.CreateAsset(e.ctx, e.caller(), agentry.FileSource{Name: "hold.wav", Data: wav})
	if err != nil {
		t.Fatal(err)
	}
	image, err := e.svc.CreateAsset(e.ctx, e.caller(), agentry.FileSource{Name: "map.png", Data: png})
	if err != nil {
		t.Fatal(err)
	}
	tool := func(asset string) string {
		return fmt.Sprintf(`{"general_tools":[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+14155550100"},`+
			`"transfer_option":{"type":"warm_transfer","on_hold_music":"custom","custom_on_hold_music_asset_id":%q}}]}`, asset)
	}
	if _, err := e.create(e.ws, agentry.RetellLLM, fields(t, tool(audio.ID))); err != nil {
		t.Fatalf("hold music naming an audio asset: %v", err)
	}
	_, err = e.create(e.ws, agentry.RetellLLM, fields(t, tool("asset_missing")))
	wantCode(t, err, agentry.EUNPROCESSABLE, "general_tools[0].transfer_option.custom_on_hold_music_asset_id", "asset_missing")
	_, err = e.create(e.ws, agentry.RetellLLM, fields(t, tool(image.ID)))
	wantCode(t, err, agentry.EINVALID, "image/png", "audio")
	_, err = e.create(e.ws, agentry.RetellLLM, fields(t, `{"general_tools":[{"type":"transfer_call","name":"t","transfer_option":{"type":"warm_transfer","on_hold_music":"custom"}}]}`))
	wantCode(t, err, agentry.EINVALID, "general_tools[0].transfer_option.custom_on_hold_music_asset_id", "required")
	other := mustWorkspace(t, e.store, "ws-b")
	_, err = e.create(other, agentry.RetellLLM, fields(t, tool(audio.ID)))
	wantCode(t, err, agentry.EUNPROCESSABLE, audio.ID)

	note := func(asset string) string {
		return fmt.Sprintf(`{"nodes":[{"id":"a","type":"end"}],"notes":[{"id":"n","content":"see <image:%s> here","display_position":{"x":0,"y":0},"size":{"width":1,"height":1}}]}`, asset)
	}
	if _, err := e.create(e.ws, agentry.ConversationFlow, fields(t, note(image.ID))); err != nil {
		t.Fatalf("note naming an image asset: %v", err)
	}
	_, err = e.create(e.ws, agentry.ConversationFlow, fields(t, note("asset_gone")))
	wantCode(t, err, agentry.EUNPROCESSABLE, "notes[0].content", "asset_gone")
	// Transfer nodes of flows are checked alike.
	_, err = e.create(e.ws, agentry.ConversationFlow, fields(t, `{"nodes":[{"id":"x","type":"transfer_call","transfer_option":{"type":"agentic_warm_transfer","on_hold_music":"custom","custom_on_hold_music_asset_id":"asset_zz"}}]}`))
	wantCode(t, err, agentry.EUNPROCESSABLE, "nodes[0].transfer_option.custom_on_hold_music_asset_id")
	_, err = e.create(e.ws, agentry.ConversationFlow, fields(t, `{"nodes":[{"id":"x","type":"transfer_call","transfer_option":{"type":"agentic_warm_transfer","on_hold_music":"custom"}}]}`))
	wantCode(t, err, agentry.EINVALID, "nodes[0].transfer_option.custom_on_hold_music_asset_id", "required")
	// And in shared components, whose missing references are 404s.
	_, err = e.svc.CreateComponent(e.ctx, e.caller(), fields(t, `{"name":"c","nodes":[{"id":"x","type":"transfer_call","transfer_option":{"type":"warm_transfer","on_hold_music":"custom","custom_on_hold_music_asset_id":"asset_zz"}}]}`))
	wantCode(t, err, agentry.ENOTFOUND, "asset_zz")
	if _, err := e.svc.CreateComponent(e.ctx, e.caller(), fields(t, `{"name":"c","nodes":[{"id":"x","type":"transfer_call","transfer_option":{"type":"warm_transfer","on_hold_music":"custom","custom_on_hold_music_asset_id":"`+audio.ID+`"}}]}`)); err != nil {
		t.Errorf("a component's hold music naming an audio asset: %v", err)
	}
}

func testAccountAnswers(t *testing.T, open Opener) {
	e := newEnv(t, open)
	key, err := e.keys.CreateKey(e.ctx, "acme", "ci")
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.keys.Authenticate(e.ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	info, err := e.svc.APIKeyInfo(e.ctx, c)
	if err != nil || info.WorkspaceName != "acme" || info.WorkspaceID != c.Workspace || info.KeyLabel != "ci" {
		t.Errorf("APIKeyInfo = %+v, %v", info, err)
	}
	if got := e.svc.Concurrency(); got.Limit != agentry.DefaultConcurrencyLimit || got.Current != 0 {
		t.Errorf("Concurrency() = %+v with none configured", got)
	}
	e.svc.ConcurrencyLimit = 75
	if got := e.svc.Concurrency(); got.Limit != 75 {
		t.Errorf("Concurrency() = %+v, want the configured 75", got)
	}
}
